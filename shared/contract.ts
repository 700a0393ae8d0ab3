// The IPC contract: every request (renderer → main, answered) and every event (main → renderer,
// pushed), each with a zod schema. Main validates every request payload against `input`; the preload
// and the harness bridge build `window.atelier` from these two maps and nothing else.
import { z } from 'zod'
import {
  AddReferenceInputSchema,
  BoardNameSchema,
  BoardSchema,
  ComposerDraftSchema,
  CreditBalanceSchema,
  DraftRestoreSchema,
  ExportRequestSchema,
  ExportResultSchema,
  ImageDetailSchema,
  ImageIdsSchema,
  LibraryFacetsSchema,
  LibraryPageSchema,
  LibraryQuerySchema,
  GenerateRequestSchema,
  JobSchema,
  KeyTestResultSchema,
  ModelCatalogueSchema,
  ModelFormSchema,
  PickSchema,
  PromptHistoryQuerySchema,
  PromptHistorySchema,
  RatingSchema,
  ReferenceHashSchema,
  ReferenceImageSchema,
  SecretStatusSchema,
  SetKeyInputSchema,
  SettingsPatchSchema,
  SettingsSchema,
} from './domain'
import { PullRequestSchema, PushRequestSchema, SyncTaskSchema } from './sync'

const NoInput = z.undefined({ error: 'This request takes no payload.' })
const Count = z.object({ count: z.int().nonnegative() })
const JobRef = z.object({ jobId: z.string().min(1, { error: 'A job id is required.' }) }).strict()
const JobIds = z
  .object({ jobIds: z.array(z.string().min(1, { error: 'A job id is required.' })).min(1, { error: 'Name at least one job.' }).max(1000) })
  .strict()

function request<I extends z.ZodType, O extends z.ZodType>(channel: string, input: I, output: O) {
  return { channel, input, output }
}

export const requests = {
  getSecretStatus: request('secrets:status', NoInput, SecretStatusSchema),
  /** Save or replace the key. It goes to the keychain; it never comes back. */
  setApiKey: request('secrets:set', SetKeyInputSchema, SecretStatusSchema),
  /** Check the stored key against the Oxen API. */
  testApiKey: request('secrets:test', NoInput, KeyTestResultSchema),
  removeApiKey: request('secrets:remove', NoInput, SecretStatusSchema),

  getSettings: request('settings:get', NoInput, SettingsSchema),
  updateSettings: request('settings:update', SettingsPatchSchema, SettingsSchema),

  /** Oxen's image models, from the copy saved in the data folder (refreshed at start); works offline. */
  listModels: request('models:list', NoInput, ModelCatalogueSchema),
  /** Fetches the catalogue from Oxen now; on failure answers the saved copy with the reason. */
  refreshModels: request('models:refresh', NoInput, ModelCatalogueSchema),
  /** A model's request form, built from its JSON schema (saved with the catalogue, so it works offline). */
  getModelForm: request('model:form', z.object({ modelId: z.string().min(1) }).strict(), ModelFormSchema),
  /** The account's credit balance, asked of Oxen now (fails like any Oxen call: no key, offline). */
  getCreditBalance: request('account:balance', NoInput, CreditBalanceSchema),

  /** Validates an image and stores it once by content hash; the composer then names it by hash. */
  addReference: request('references:add', AddReferenceInputSchema, ReferenceImageSchema),
  /** Stored reference images by hash, in order; hashes no longer stored are left out (reusing a job's references). */
  getReferences: request('references:get', z.object({ hashes: z.array(ReferenceHashSchema).max(64) }).strict(), z.array(ReferenceImageSchema)),

  /** The composer's draft as saved last (any session), its reference images resolved; what is gone is left out and said. */
  getDraft: request('draft:get', NoInput, DraftRestoreSchema),
  /** Saves the composer's draft in the data folder (written whole and renamed in, so a crash keeps the last one). */
  saveDraft: request('draft:save', ComposerDraftSchema.strict(), z.object({ savedAt: z.number() })),
  /** Prompts sent before (from the job journal), each once, newest first; `text` searches them. */
  getPromptHistory: request('prompts:history', PromptHistoryQuerySchema, PromptHistorySchema),

  generate: request('jobs:generate', GenerateRequestSchema, z.object({ jobId: z.string() })),
  listJobs: request('jobs:list', NoInput, z.array(JobSchema)),
  cancelJob: request('jobs:cancel', JobRef, JobSchema),
  /** Sends the job's unconfirmed images again, at the user's explicit request (they may be billed twice). */
  retryUnconfirmed: request('jobs:retry-unconfirmed', JobRef, JobSchema),
  /** Tries the job's failed images again: made ones are downloaded again; the others are enqueued (and billed) anew. */
  retryFailed: request('jobs:retry-failed', JobRef, JobSchema),
  /** Sends the job's request again as a new job, billed again (the renderer confirms the cost first). */
  duplicateJob: request('jobs:duplicate', JobRef, z.object({ jobId: z.string() })),
  /** Takes finished jobs off the list (and Results); the journal remembers it. Their images stay in the library. */
  hideJobs: request('jobs:hide', JobIds, z.object({ jobIds: z.array(z.string()) })),
  /** Takes every finished job off the list; answers which. */
  clearFinishedJobs: request('jobs:clear-finished', NoInput, z.object({ jobIds: z.array(z.string()) })),

  // The library (browse, search, organise). Image ids only: bytes go through the media handler.
  searchLibrary: request('library:search', LibraryQuerySchema, LibraryPageSchema),
  getLibraryFacets: request('library:facets', NoInput, LibraryFacetsSchema),
  getImageDetail: request('library:detail', z.object({ imageId: z.string().min(1) }).strict(), ImageDetailSchema),
  setStarred: request('library:star', z.object({ imageIds: ImageIdsSchema, starred: z.boolean() }).strict(), Count),
  /** Triage: 1–5 stars, or 0 to clear the rating. */
  setRating: request('library:rate', z.object({ imageIds: ImageIdsSchema, rating: RatingSchema }).strict(), Count),
  /** Triage: 1 pick, -1 reject, 0 neither. */
  setPick: request('library:pick', z.object({ imageIds: ImageIdsSchema, pick: PickSchema }).strict(), Count),
  /** "Keep the picks, trash the rest": moves the job's images that are not picks to the trash; answers which (for Undo). */
  trashUnpicked: request('library:trash-unpicked', JobRef, z.object({ imageIds: z.array(z.string()) })),
  trashImages: request('library:trash', z.object({ imageIds: ImageIdsSchema }).strict(), Count),
  restoreImages: request('library:restore', z.object({ imageIds: ImageIdsSchema }).strict(), Count),
  emptyTrash: request('library:empty-trash', NoInput, Count),
  createBoard: request('boards:create', z.object({ name: BoardNameSchema }).strict(), BoardSchema),
  renameBoard: request('boards:rename', z.object({ boardId: z.string().min(1), name: BoardNameSchema }).strict(), BoardSchema),
  deleteBoard: request('boards:delete', z.object({ boardId: z.string().min(1) }).strict(), Count),
  addToBoard: request('boards:add', z.object({ boardId: z.string().min(1), imageIds: ImageIdsSchema }).strict(), Count),
  removeFromBoard: request('boards:remove', z.object({ boardId: z.string().min(1), imageIds: ImageIdsSchema }).strict(), Count),
  /** Rebuilds the index from the image files alone (their embedded recipes). */
  rebuildLibrary: request('library:rebuild', NoInput, Count),
  exportImages: request('library:export', ExportRequestSchema, ExportResultSchema),
  /** Out of the app (Electron): drag the real files, copy to the clipboard, reveal in the file manager. */
  startDrag: request('library:start-drag', z.object({ imageIds: ImageIdsSchema }).strict(), Count),
  copyImage: request('library:copy', z.object({ imageId: z.string().min(1) }).strict(), Count),
  revealImage: request('library:reveal', z.object({ imageId: z.string().min(1) }).strict(), Count),

  // Beyond one machine: Oxen repositories and generation history. Each starts a task and answers it at once;
  // `onSyncTask` follows it to the end.
  /** The account's namespace on Oxen (where a push creates its repository). */
  getOxenAccount: request('sync:account', NoInput, z.object({ namespace: z.string() })),
  /** Sends a board or a selection (files untouched, plus one data frame) to a repository in one commit; only what it lacks. */
  pushToRepo: request('sync:push', PushRequestSchema, SyncTaskSchema),
  /** Brings a repository's images (with their recipes, ratings and picks) into the library, onto a board named after it. */
  pullFromRepo: request('sync:pull', PullRequestSchema, SyncTaskSchema),
  /** Brings the account's past image generations (any client) into the library, each once. */
  importHistory: request('sync:import-history', NoInput, SyncTaskSchema),
  cancelSync: request('sync:cancel', z.object({ taskId: z.string().min(1) }).strict(), SyncTaskSchema),
  /** Tasks of this session, newest first (running ones and what finished). */
  listSyncTasks: request('sync:list', NoInput, z.array(SyncTaskSchema)),

  // Diagnostics (Settings). Never the key: lines and text are scrubbed by the logger's rules on the way out.
  /** The newest lines of the log, oldest first, and where the log file is (shown to the user; never used as input). */
  getLogTail: request(
    'diagnostics:log',
    z.object({ lines: z.int().min(1, { error: 'Ask for at least one line.' }).max(2000, { error: 'Ask for at most 2000 lines.' }) }).strict(),
    z.object({ lines: z.array(z.string()), location: z.string() }),
  ),
  /** One plain-text report for a bug report: versions, OS, settings, library counts, the catalogue, the key's state, the log's last lines. */
  getDiagnostics: request('diagnostics:get', NoInput, z.object({ text: z.string() })),
  /** Shows the log file in the file manager (desktop app only). */
  revealLogs: request('diagnostics:reveal-logs', NoInput, Count),
} as const

export const events = {
  /** A job changed (state of any image, progress, completion). Carries the whole job. */
  onJobUpdate: { channel: 'jobs:update', payload: JobSchema },
  /** The key's status changed (saved, removed, keychain lost). */
  onSecretStatus: { channel: 'secrets:status-changed', payload: SecretStatusSchema },
  /** New images entered the library. */
  onLibraryChanged: { channel: 'library:changed', payload: z.object({ imageIds: z.array(z.string()) }) },
  /** A push, pull or import moved on or ended. Carries the whole task. */
  onSyncTask: { channel: 'sync:task', payload: SyncTaskSchema },
} as const

export type Requests = typeof requests
export type Events = typeof events
export type RequestName = keyof Requests
export type EventName = keyof Events

export type RequestInput<N extends RequestName> = z.input<Requests[N]['input']>
export type RequestOutput<N extends RequestName> = z.output<Requests[N]['output']>
export type EventPayload<N extends EventName> = z.output<Events[N]['payload']>

// ---------- answers ----------
export const ErrorCodeSchema = z.enum([
  'invalid-input', // the payload failed its schema
  'no-key', // no API key saved
  'unauthorized', // Oxen rejected the key
  'unreachable', // network / DNS / refused
  'oxen-error', // Oxen answered with an error
  'not-found',
  'internal',
])
export type ErrorCode = z.infer<typeof ErrorCodeSchema>

export interface AppError {
  code: ErrorCode
  /** Plain words that say what happened and what to do. */
  message: string
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError }

/**
 * `window.atelier`: one function per request, one subscription per event, plus `pathForFile` (Electron's
 * preload only: the path of a dropped file, '' when it has none; the harness has no paths, so the
 * renderer sends the file's bytes instead).
 */
export type AtelierApi = {
  readonly pathForFile?: (file: File) => string
} & {
  readonly [N in RequestName]: undefined extends RequestInput<N>
    ? (input?: RequestInput<N>) => Promise<Result<RequestOutput<N>>>
    : (input: RequestInput<N>) => Promise<Result<RequestOutput<N>>>
} & {
  readonly [N in EventName]: (listener: (payload: EventPayload<N>) => void) => () => void
}

export const requestNames = Object.keys(requests) as RequestName[]
export const eventNames = Object.keys(events) as EventName[]

/** Turns a zod failure into one specific sentence per problem. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length ? `${issue.path.join('.')}: ` : ''
      return `${where}${issue.message}`
    })
    .join(' ')
}
