// Domain types shared by main and renderer. Each is a zod schema plus its inferred type, so the
// same definition validates IPC payloads in main and types the renderer.
import { z } from 'zod'
import { CONCURRENCY_LIMITS, IMAGE_FORMAT_NAMES, IMAGE_SIZES, MAX_IMAGES, MAX_PROMPT_CHARS, MAX_REFERENCES, MIN_IMAGES, PICK_FILTERS } from './limits'

// The pure limits and tables live in limits.ts (no zod, so the renderer can import them cheaply); re-exported here.
export {
  CONCURRENCY_LIMITS,
  IMAGE_FORMATS,
  IMAGE_SIZES,
  MAX_IMAGES,
  MAX_PROMPT_CHARS,
  MAX_REFERENCE_BYTES,
  MAX_REFERENCES,
  MIN_IMAGES,
  PICK_FILTERS,
  SEED_PARAM,
} from './limits'

// ---------- secrets ----------
export const SecretStateSchema = z.enum(['stored', 'absent', 'session-only'])
export type SecretState = z.infer<typeof SecretStateSchema>

export const SecretStatusSchema = z.object({
  state: SecretStateSchema,
  /** Plain words for the UI, e.g. why the keychain could not be used. Never contains the key. */
  detail: z.string().optional(),
})
export type SecretStatus = z.infer<typeof SecretStatusSchema>

export const SetKeyInputSchema = z.object({
  key: z
    .string({ error: 'The API key must be text.' })
    .trim()
    .min(8, { error: 'That API key is too short: paste the whole key from your Oxen.ai settings.' })
    .max(4096, { error: 'That API key is too long: paste only the key.' })
    .regex(/^\S+$/, { error: 'The API key cannot contain spaces or line breaks.' }),
})
export type SetKeyInput = z.infer<typeof SetKeyInputSchema>

export const KeyTestResultSchema = z.object({
  ok: z.boolean(),
  message: z.string(),
})
export type KeyTestResult = z.infer<typeof KeyTestResultSchema>

// ---------- settings ----------
/** How references reach Oxen: uploaded to a repo in the user's namespace (preferred) or inlined as data URIs. */
export const ReferenceSupplySchema = z.enum(['upload', 'data-uri'])
export type ReferenceSupply = z.infer<typeof ReferenceSupplySchema>

export const ThemeSchema = z.enum(['system', 'dark', 'light'])
export const SettingsSchema = z.object({
  /** Origin (plus optional path prefix) of the Oxen hub; the key is sent only here. */
  oxenBaseUrl: z.url({ protocol: /^https?$/, error: 'The Oxen URL must be an http(s) address.' }),
  modelId: z.string().min(1),
  theme: ThemeSchema,
  maxConcurrentJobs: z.int().min(CONCURRENCY_LIMITS.min).max(CONCURRENCY_LIMITS.max),
  maxConcurrentDownloads: z.int().min(CONCURRENCY_LIMITS.min).max(CONCURRENCY_LIMITS.max),
  referenceSupply: ReferenceSupplySchema,
})
export type Settings = z.infer<typeof SettingsSchema>
export const SettingsPatchSchema = SettingsSchema.partial().strict()
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>

// ---------- the model catalogue (GET /api/ai/models, image models only) ----------
/** What a model does: makes images from text, changes given images (with a prompt), or enlarges one (no prompt). */
export const ModelKindSchema = z.enum(['generate', 'edit', 'upscale'])
export type ModelKind = z.infer<typeof ModelKindSchema>

/** USD per image: flat, or by tiers of parameter values (the first tier whose values all match wins). */
export const ModelPriceSchema = z.object({
  /** At the model's defaults (or its only price). */
  perImage: z.number().nonnegative().optional(),
  tiers: z.array(z.object({ when: z.record(z.string(), z.string()), perImage: z.number().nonnegative() })).optional(),
})
export type ModelPrice = z.infer<typeof ModelPriceSchema>

export const ModelSummarySchema = z.object({
  id: z.string(),
  displayName: z.string(),
  developer: z.string().optional(),
  description: z.string().optional(),
  kind: ModelKindSchema,
  /** What its request takes: a text prompt, input images, a mask. */
  takes: z.object({ prompt: z.boolean(), images: z.boolean(), mask: z.boolean() }),
  price: ModelPriceSchema.nullable(),
  /** A fine-tuned model of the user's: its deployment state (only a running one makes images). */
  custom: z.object({ deployment: z.string() }).optional(),
})
export type ModelSummary = z.infer<typeof ModelSummarySchema>

/** The account's credit balance in USD, where Oxen tells it (null: it did not say). */
export const CreditBalanceSchema = z.object({ usd: z.number().nullable() })
export type CreditBalance = z.infer<typeof CreditBalanceSchema>

export const ModelCatalogueSchema = z.object({
  models: z.array(ModelSummarySchema),
  /** When this list was fetched from Oxen (unix ms); null when it never was. */
  fetchedAt: z.number().nullable(),
  /** Why the last refresh failed: the list is the one saved before (offline, key missing…). */
  error: z.string().optional(),
})
export type ModelCatalogue = z.infer<typeof ModelCatalogueSchema>

// ---------- the model's request form, derived from its live JSON schema ----------
/** Any JSON value: what a field the form cannot render as a control holds (edited as JSON, never dropped). */
export const ParamValueSchema = z.json()
export type ParamValue = z.infer<typeof ParamValueSchema>

const FieldBase = {
  name: z.string(),
  label: z.string(),
  description: z.string().optional(),
  /** Shown by default (the schema's `basic` list); others sit under "More". */
  basic: z.boolean(),
  /** In the schema's `required`: Generate waits for it. */
  required: z.boolean(),
}
export const FormFieldSchema = z.discriminatedUnion('kind', [
  z.object({ ...FieldBase, kind: z.literal('enum'), options: z.array(z.string()).min(1), default: z.string().optional() }),
  z.object({ ...FieldBase, kind: z.literal('boolean'), default: z.boolean().optional() }),
  z.object({
    ...FieldBase,
    kind: z.literal('number'),
    integer: z.boolean(),
    min: z.number().optional(),
    max: z.number().optional(),
    default: z.number().optional(),
    /** `seed`: drawn by the seed control (random / fixed / +1 per image), recorded per image. */
    role: z.enum(['seed']).optional(),
  }),
  /** `multiline` for prompts of their own, e.g. a negative prompt. */
  z.object({ ...FieldBase, kind: z.literal('text'), multiline: z.boolean(), default: z.string().optional() }),
  /**
   * Input images: a list with the schema's own limit (`list`), one URI, or a list of objects whose `itemKey`
   * holds the URL. `role: 'mask'` for a second slot such as gpt-image-2's mask_url.
   */
  z.object({
    ...FieldBase,
    kind: z.literal('images'),
    list: z.boolean(),
    minItems: z.int().nonnegative(),
    maxItems: z.int().positive(),
    itemKey: z.string().optional(),
    role: z.enum(['input', 'mask']),
  }),
  /** Anything else (objects, unions…): edited as JSON, validated against `schema` (the property's JSON Schema). */
  z.object({ ...FieldBase, kind: z.literal('json'), schema: z.record(z.string(), ParamValueSchema), default: ParamValueSchema.optional() }),
])
export type FormField = z.infer<typeof FormFieldSchema>

export const ModelFormSchema = z.object({
  modelId: z.string(),
  displayName: z.string(),
  /** The field that carries the prompt; null for models without one (upscalers). */
  promptField: z.string().nullable(),
  /** Whether the prompt is required. */
  promptRequired: z.boolean(),
  fields: z.array(FormFieldSchema),
  /**
   * A count of the model's own (e.g. ideogram's `num_images`), always sent as 1: Atelier makes N images as N
   * generations, so the count and the price shown are what is made and billed.
   */
  countField: z.string().optional(),
  price: ModelPriceSchema.nullable(),
  /** The request's JSON Schema as Oxen gave it: every body is validated against it before it is sent. */
  schema: z.record(z.string(), ParamValueSchema),
})
export type ModelForm = z.infer<typeof ModelFormSchema>

// ---------- generation ----------
/** A reference image is stored once by the SHA-256 of its bytes; requests name it by that hash. */
export const ReferenceHashSchema = z.string().regex(/^[0-9a-f]{64}$/, { error: 'A reference image id is malformed.' })

/** Where a new reference image comes from. Bytes (a paste) travel as base64 so both transports carry them. */
export const AddReferenceInputSchema = z.discriminatedUnion('kind', [
  /** A file the user dragged in; main re-validates it. */
  z.object({ kind: z.literal('file'), path: z.string().min(1, { error: 'A reference file path is empty.' }) }).strict(),
  z
    .object({
      kind: z.literal('bytes'),
      name: z.string().max(255).default('pasted image'),
      base64: z.base64({ error: 'The pasted image is not valid base64.' }).max(40_000_000, { error: 'The pasted image is too large.' }),
    })
    .strict(),
  /** An image already in the library ("use as reference"). */
  z.object({ kind: z.literal('library'), imageId: z.string().min(1) }).strict(),
])
export type AddReferenceInput = z.input<typeof AddReferenceInputSchema>

/** The image formats Atelier stores (generated images and references alike); their table is IMAGE_FORMATS (limits.ts). */
export const ImageFormatSchema = z.enum(IMAGE_FORMAT_NAMES)
export type ImageFormat = z.infer<typeof ImageFormatSchema>

export const ReferenceImageSchema = z.object({
  hash: ReferenceHashSchema,
  name: z.string(),
  format: ImageFormatSchema,
  width: z.int(),
  height: z.int(),
  bytes: z.int(),
  thumbUrl: z.string(),
})
export type ReferenceImage = z.infer<typeof ReferenceImageSchema>

/** How each image's seed is chosen when the model has a seed field; the seed used is recorded per image. */
export const SeedChoiceSchema = z
  .object({ mode: z.enum(['random', 'fixed', 'increment']), value: z.int().min(0).max(2 ** 31 - 1).optional() })
  .strict()
export type SeedChoice = z.infer<typeof SeedChoiceSchema>

export const GenerateRequestSchema = z
  .object({
    modelId: z.string({ error: 'Choose a model first.' }).min(1, { error: 'Choose a model first.' }),
    /** Empty for models without a prompt; the model's form says whether it is required. */
    prompt: z
      .string({ error: 'The prompt must be text.' })
      .trim()
      .max(MAX_PROMPT_CHARS, { error: `The prompt is too long: keep it under ${MAX_PROMPT_CHARS} characters.` })
      .default(''),
    count: z
      .int({ error: 'The number of images must be a whole number.' })
      .min(MIN_IMAGES, { error: `Ask for at least ${MIN_IMAGES} image.` })
      .max(MAX_IMAGES, { error: `Ask for at most ${MAX_IMAGES} images at once.` }),
    /** Model fields by their schema name (size, aspect_ratio, output_format, …), images excepted. */
    params: z.record(z.string(), ParamValueSchema).default({}),
    /** Input images by field name (the form's `images` fields), as reference hashes. */
    images: z
      .record(z.string(), z.array(ReferenceHashSchema).max(MAX_REFERENCES, { error: `Use at most ${MAX_REFERENCES} images in one field.` }))
      .default({}),
    seed: SeedChoiceSchema.optional(),
  })
  .strict()
export type GenerateRequest = z.input<typeof GenerateRequestSchema>

export const ImageStateSchema = z.enum([
  'pending', // not yet enqueued
  'queued',
  'processing',
  'downloading',
  'saved',
  'failed',
  'cancelled',
  /** The request's answer was lost and the queue does not show it: it may or may not have been billed. */
  'unconfirmed',
])
export type ImageState = z.infer<typeof ImageStateSchema>

/** An earlier try at an image that did not make it (kept beside the retry that followed). */
export const JobAttemptSchema = z.object({
  state: z.enum(['failed', 'unconfirmed', 'cancelled']),
  generationId: z.string().optional(),
  error: z.string().optional(),
})
export type JobAttempt = z.infer<typeof JobAttemptSchema>

/** What a running job is waiting for, e.g. "Oxen is busy" until `retryAt` (unix ms). */
export const JobNoticeSchema = z.object({ message: z.string(), retryAt: z.number().optional() })
export type JobNotice = z.infer<typeof JobNoticeSchema>

export const JobImageSchema = z.object({
  index: z.int().nonnegative(),
  state: ImageStateSchema,
  generationId: z.string().optional(),
  /** 0–1 while downloading. */
  progress: z.number().min(0).max(1).optional(),
  error: z.string().optional(),
  imageId: z.string().optional(),
  /** The saved image's id-based URLs (full size and thumbnail). */
  url: z.string().optional(),
  thumbUrl: z.string().optional(),
  /** Picked up again after Atelier restarted. */
  resumed: z.boolean().optional(),
  /** Earlier tries (Retry, Send again), oldest first. */
  attempts: z.array(JobAttemptSchema).optional(),
  /** What Oxen charged for it (decimal string from its generation record), once saved. */
  cost: z.string().optional(),
  /** The saved image's size in pixels (its true aspect ratio), once saved. */
  width: z.int().positive().optional(),
  height: z.int().positive().optional(),
})
export type JobImage = z.infer<typeof JobImageSchema>

/** What only the user can fix before a job can go on: the API key (in Settings) or the account's credits (on Oxen.ai). */
export const JobNeedsSchema = z.enum(['api-key', 'credits'])
export type JobNeeds = z.infer<typeof JobNeedsSchema>

export const JobStatusSchema = z.enum(['running', 'completed', 'partial', 'failed', 'cancelled'])
export type JobStatus = z.infer<typeof JobStatusSchema>

export const JobSchema = z.object({
  id: z.string(),
  createdAt: z.number(),
  modelId: z.string(),
  prompt: z.string(),
  count: z.int(),
  params: z.record(z.string(), ParamValueSchema),
  status: JobStatusSchema,
  /** Reference images by hash, and how they were supplied to Oxen (known once the job has been sent). */
  references: z.array(ReferenceHashSchema).default([]),
  referenceSupply: ReferenceSupplySchema.optional(),
  /** Why the preferred supply was not used (e.g. the upload failed, so data URIs were sent). */
  referenceNote: z.string().optional(),
  /** A plain message that says what happened and what to do. */
  error: z.string().optional(),
  /** Set when a failure of this job needs the user (a key to fix, credits to add) before trying again helps. */
  needs: JobNeedsSchema.optional(),
  notice: JobNoticeSchema.optional(),
  /** When it stopped running (unix ms); absent while it runs, and for jobs that ended before Atelier recorded it. */
  finishedAt: z.number().optional(),
  /** USD the job was expected to cost when it was sent (the model's price × images); each image's `cost` is what it did. */
  estimate: z.number().optional(),
  images: z.array(JobImageSchema),
})
export type Job = z.infer<typeof JobSchema>

// ---------- library ----------
/** Triage: a rating of 1–5 stars (0 = not rated) and a flag (1 = pick, -1 = reject, 0 = neither). */
export const RatingSchema = z
  .int({ error: 'A rating is a whole number of stars.' })
  .min(0, { error: 'A rating is 0 to 5 stars.' })
  .max(5, { error: 'A rating is 0 to 5 stars.' })
export const PickSchema = z.union([z.literal(-1), z.literal(0), z.literal(1)], { error: 'A pick is 1 (pick), -1 (reject) or 0 (neither).' })
export type PickFlag = z.infer<typeof PickSchema>

export const LibraryImageSchema = z.object({
  id: z.string(),
  jobId: z.string(),
  generationId: z.string(),
  /** Its place in the job (0-based) and how many images the job asked for: "image 2 of 3". */
  index: z.int(),
  jobCount: z.int(),
  modelId: z.string(),
  prompt: z.string(),
  params: z.record(z.string(), ParamValueSchema),
  width: z.int(),
  height: z.int(),
  /** The ratio the aspect filter files it under ("16:9" for 2730 × 1536); absent when no W:H with terms under 100 fits. */
  aspect: z.string().optional(),
  format: ImageFormatSchema,
  /** Its file's name outside the library (an export, a drag out of the window): the prompt's first words and the id. */
  fileName: z.string(),
  bytes: z.int(),
  createdAt: z.number(),
  /** What Oxen charged for it (decimal string from its generation record), once known. */
  cost: z.string().optional(),
  /** Reference images (hashes) the generation used. */
  references: z.array(z.string()).default([]),
  starred: z.boolean().default(false),
  rating: RatingSchema.default(0),
  pick: PickSchema.default(0),
  /** Set while the image is in the trash (unix ms). */
  trashedAt: z.number().optional(),
  /** id-based URLs: the custom protocol in Electron, the same handler over HTTP in the harness. */
  url: z.string(),
  thumbUrl: z.string(),
})
export type LibraryImage = z.infer<typeof LibraryImageSchema>

// ---------- the library: browse, search, organise (issue 5) ----------
export const ImageIdsSchema = z
  .array(z.string().min(1).max(64))
  .min(1, { error: 'Select at least one image.' })
  .max(10_000, { error: 'Too many images at once: select at most 10,000.' })

export const LibraryFiltersSchema = z
  .object({
    modelIds: z.array(z.string()).max(50).optional(),
    /** Created at or after / before (unix ms). */
    from: z.number().optional(),
    to: z.number().optional(),
    sizes: z.array(z.enum(IMAGE_SIZES)).optional(),
    /** Ratios as "W:H" (e.g. "16:9"), matched against the pixel dimensions. */
    aspects: z.array(z.string().regex(/^\d{1,2}:\d{1,2}$/, { error: 'An aspect ratio must look like 16:9.' })).max(20).optional(),
    formats: z.array(ImageFormatSchema).optional(),
    starred: z.boolean().optional(),
    /** At least this many stars (1–5). */
    minRating: RatingSchema.min(1, { error: 'Filter for at least 1 star.' }).optional(),
    pick: z.enum(PICK_FILTERS).optional(),
    boardId: z.string().optional(),
    /** false (default): images not in the trash; true: only the trash. */
    trash: z.boolean().optional(),
  })
  .strict()
export type LibraryFilters = z.infer<typeof LibraryFiltersSchema>

export const LibraryQuerySchema = z
  .object({
    /** Words of the prompt; each word matches as a prefix ("tea" finds "teal"). */
    text: z.string().max(200, { error: 'Search for at most 200 characters.' }).default(''),
    filters: LibraryFiltersSchema.default({}),
    /** `rating`: most stars first, newest first among equals. */
    sort: z.enum(['newest', 'oldest', 'rating']).default('newest'),
    cursor: z.string().max(200).optional(),
    limit: z.int().min(1).max(500).default(120),
  })
  .strict()
export type LibraryQuery = z.input<typeof LibraryQuerySchema>

export const LibraryPageSchema = z.object({
  items: z.array(LibraryImageSchema),
  nextCursor: z.string().nullable(),
})
export type LibraryPage = z.infer<typeof LibraryPageSchema>

export const BoardSchema = z.object({ id: z.string(), name: z.string(), count: z.int(), createdAt: z.number() })
export type Board = z.infer<typeof BoardSchema>
export const BoardNameSchema = z
  .string()
  .trim()
  .min(1, { error: 'Give the board a name.' })
  .max(80, { error: 'Keep board names under 80 characters.' })

export const LibraryFacetsSchema = z.object({
  modelIds: z.array(z.string()),
  sizes: z.array(z.string()),
  aspects: z.array(z.string()),
  formats: z.array(z.string()),
  boards: z.array(BoardSchema),
  counts: z.object({ all: z.int(), starred: z.int(), trash: z.int() }),
})
export type LibraryFacets = z.infer<typeof LibraryFacetsSchema>

export const ImageDetailSchema = z.object({
  image: LibraryImageSchema,
  /** The references this image was made from; `sourceImageId` when one came from the library ("made from"). */
  references: z.array(ReferenceImageSchema.extend({ sourceImageId: z.string().optional() })),
  /** Images that used this image as a reference. */
  usedIn: z.array(LibraryImageSchema),
  boardIds: z.array(z.string()),
})
export type ImageDetail = z.infer<typeof ImageDetailSchema>

export const ExportRequestSchema = z
  .object({ imageIds: ImageIdsSchema, as: z.enum(['folder', 'zip']) })
  .strict()
export const ExportResultSchema = z.object({
  /** Where the export was written (shown to the user; never used as input). */
  location: z.string(),
  count: z.int(),
})

// ---------- the composer's draft and prompt history ----------
/** A reference image in a saved draft: by hash, with the name the composer showed (to say which one is gone). */
export const DraftReferenceSchema = z.object({ hash: ReferenceHashSchema, name: z.string().max(255) })
export type DraftReference = z.infer<typeof DraftReferenceSchema>

/**
 * What the composer holds, saved by main in the data folder as it changes (draft.json) and restored at start: the
 * model, prompt, parameters (and which the user chose), JSON typed but not parsed yet, the seed, the number of images
 * and the images of each slot by hash, in order.
 */
export const ComposerDraftSchema = z.object({
  modelId: z.string().min(1).max(300).nullable(),
  prompt: z.string().max(MAX_PROMPT_CHARS, { error: `A draft’s prompt is at most ${MAX_PROMPT_CHARS} characters.` }),
  count: z.int().min(MIN_IMAGES).max(MAX_IMAGES),
  params: z.record(z.string(), ParamValueSchema),
  chosen: z.array(z.string().max(200)).max(500),
  jsonDrafts: z.record(z.string(), z.object({ text: z.string().max(200_000), error: z.string().max(2000) })),
  seed: SeedChoiceSchema,
  images: z.object({ input: z.array(DraftReferenceSchema).max(MAX_REFERENCES), mask: z.array(DraftReferenceSchema).max(MAX_REFERENCES) }),
})
export type ComposerDraft = z.infer<typeof ComposerDraftSchema>

/** The saved draft with its images resolved (thumbnails); `notes` say what could not be restored, in plain words. */
export const DraftRestoreSchema = z.object({
  draft: ComposerDraftSchema.extend({ images: z.object({ input: z.array(ReferenceImageSchema), mask: z.array(ReferenceImageSchema) }) }).nullable(),
  /** Why a reference image was left out (its file is gone), per slot, one sentence each. */
  dropped: z.object({ input: z.string().optional(), mask: z.string().optional() }),
  /** Anything else (the saved file could not be read). */
  notes: z.array(z.string()),
})
export type DraftRestore = z.infer<typeof DraftRestoreSchema>

export const PromptHistoryQuerySchema = z
  .object({
    /** Words that must all appear in the prompt (any case); empty for the newest prompts. */
    text: z.string().max(200, { error: 'Search for at most 200 characters.' }).default(''),
    limit: z.int().min(1).max(500).default(200),
  })
  .strict()
/** A prompt sent before (each text once, at the time it was last sent, with the model it was sent to then). */
export const PromptHistoryEntrySchema = z.object({ prompt: z.string(), modelId: z.string(), at: z.number() })
export type PromptHistoryEntry = z.infer<typeof PromptHistoryEntrySchema>
export const PromptHistorySchema = z.object({ prompts: z.array(PromptHistoryEntrySchema) })
