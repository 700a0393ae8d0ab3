// The hub.oxen.ai routes the simulator answers, as a table the dispatcher walks (API.md §2).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { sendFile } from './downloads'
import type { EventHub } from './events'
import type { FaultState } from './faults'
import { RESULT_DIRECTORY, RESULT_REPO, TERMINAL, type Generation, type GenerationStore, type User } from './generations'
import { bearerToken, HttpError, readJsonObject, sendJson, unixSeconds } from './http'
import type { CatalogModel, ImageModel } from './models'
import { modelFields } from './params'
import type { ReferenceStats } from './references'
import { contentType, type ImageCache, type RenderInput } from './render'
import { listDir } from './repo-dirs'
import type { RepoStore } from './repo-store'
import { createRepo, getFile, putFile } from './repos'
import { addWorkspaceFiles, addWorkspaceRow, commitWorkspace, getOrCreateWorkspace } from './workspaces'

/** One accepted POST /api/ai/queue. */
export interface AcceptedEnqueue {
  /** sha256 of the body as canonical JSON (keys sorted): equal bodies, equal hashes. */
  bodyHash: string
  body: Record<string, unknown>
  generationIds: string[]
  /** False while (or if) the answer has not been sent in full, e.g. under reset-after-read. */
  answered: boolean
}

export interface MutableStats extends ReferenceStats {
  enqueueRequests: number
  enqueueBodies: Record<string, unknown>[]
  acceptedEnqueues: AcceptedEnqueue[]
  generationsCreated: number
  downloads: number
  downloadAttempts: number
  reposCreated: number
  uploads: number
  workspaceFilesAdded: number
  workspaceAddedPaths: string[]
  workspaceRowsAdded: number
  workspaceCommits: number
}

/** Everything a handler may touch. */
export interface SimState {
  baseUrl: string
  users: Map<string, User>
  catalog: CatalogModel[]
  store: GenerationStore
  hub: EventHub
  images: ImageCache
  faults: FaultState
  stats: MutableStats
  signingKey: Buffer
  resultTtlMs: number
  startingCredits: number
  repos: RepoStore
  /** `is_public` of a repo created without one. */
  reposPublicByDefault: boolean
  /** Signatures of presigned URLs refused by the expired-url fault: they stay refused. */
  revokedSignatures: Set<string>
}

export interface RequestContext {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  /** Capture groups of the route pattern, URI-decoded. */
  params: string[]
  /** The caller, on routes that require a key. */
  user: User
  sim: SimState
  /** The simulator's own request (a reference fetch): no faults, not counted. */
  internal: boolean
}

export interface Route {
  methods: string[]
  pattern: RegExp
  /** 'required': 401 without a valid key. 'none': the key is ignored (catalog, presigned downloads). */
  auth: 'required' | 'none'
  handle: (ctx: RequestContext) => Promise<void> | void
}

const ACTIVE = new Set(['queued', 'processing'])
const MAX_GENERATIONS = 4

export const ANONYMOUS: User = { id: '', key: '', username: '', name: '', email: '' }

// ---------- rows ----------

function resultPath(generation: Generation): string {
  const ext = generation.mediaType === 'video' ? 'mp4' : (generation.output?.format ?? 'png')
  return `/api/repos/${encodeURIComponent(generation.targetNamespace)}/${RESULT_REPO}/file/main/${RESULT_DIRECTORY}/${generation.id}.${ext}`
}

function signature(sim: SimState, path: string, expires: number): string {
  return createHmac('sha256', sim.signingKey).update(`${path}\n${expires}`).digest('hex').slice(0, 32)
}

/**
 * A fresh presigned URL on every read, valid for resultTtlMs (like S3-style presigned links). Seeded history
 * with expired URLs answers list reads with the URL minted back then: already expired.
 */
function resultUrl(sim: SimState, generation: Generation, listing = false): string | null {
  if (generation.status !== 'succeeded') return null
  const path = resultPath(generation)
  const stale = listing && generation.staleListUrls === true
  const expires = stale
    ? Math.min((generation.completedAt ?? 0) + sim.resultTtlMs, Date.now() - 1000)
    : Date.now() + sim.resultTtlMs
  return `${sim.baseUrl}${path}?expires=${expires}&sig=${signature(sim, path, expires)}`
}

function modelName(g: Generation): string {
  return g.modelName ?? g.model.id
}

function queueRow(sim: SimState, g: Generation, listing = false): Record<string, unknown> {
  return {
    ...g.fields,
    generation_id: g.id,
    model_name: modelName(g),
    prompt: g.prompt,
    media_type: g.mediaType ?? 'image',
    status: g.status,
    result_url: resultUrl(sim, g, listing),
    error_message: g.errorMessage,
    enqueued_at: unixSeconds(g.enqueuedAt),
    started_at: g.startedAt === null ? null : unixSeconds(g.startedAt),
    completed_at: g.completedAt === null ? null : unixSeconds(g.completedAt),
  }
}

/** Cost as a decimal string: the model's price (its tier, × num_images); nothing for failed or cancelled jobs. */
function cost(g: Generation): string {
  return g.status === 'failed' || g.status === 'cancelled' ? '0.000' : g.cost.toFixed(3)
}

function historyRow(sim: SimState, g: Generation, listing = false): Record<string, unknown> {
  return {
    ...queueRow(sim, g, listing),
    created_at: unixSeconds(g.enqueuedAt),
    cost: cost(g),
    target_namespace: g.targetNamespace,
    target_repo: RESULT_REPO,
    target_directory: RESULT_DIRECTORY,
    user_id: g.owner.id,
    username: g.owner.username,
    user_image: null,
  }
}

function notFound(what: string): HttpError {
  return new HttpError(404, 'resource_not_found', what)
}

function ownGeneration(ctx: RequestContext): Generation {
  const generation = ctx.sim.store.visible(ctx.user, ctx.params[0] ?? '')
  if (!generation) throw notFound(`Generation not found: ${ctx.params[0]}`)
  return generation
}

/** Filters shared by the queue and history lists (API.md §4.4, §4.5). */
function matchesQuery(g: Generation, query: URLSearchParams): boolean {
  const want = (name: string): string | null => query.get(name) || null
  const model = want('model')
  const namespace = want('namespace')
  const mediaType = want('media_type')
  const repo = want('repo')
  const folder = want('folder')
  return (
    (!model || modelName(g) === model) &&
    (!namespace || g.targetNamespace === namespace) &&
    (!mediaType || mediaType === (g.mediaType ?? 'image')) &&
    (!repo || repo === RESULT_REPO) &&
    (!folder || folder === RESULT_DIRECTORY)
  )
}

// ---------- requests ----------

interface ValidRequest {
  body: Record<string, unknown>
  model: ImageModel
  prompt: string | null
}

/**
 * Checks shared by the queue and the sync endpoints, with Oxen's documented messages (API.md §7). The prompt
 * is checked only for models whose schema requires one (an upscaler has none); other fields at run time.
 */
async function readGenerationRequest(ctx: RequestContext): Promise<ValidRequest> {
  const body = await readJsonObject(ctx.req)
  const modelId = body.model
  if (typeof modelId !== 'string' || modelId.trim() === '')
    throw new HttpError(400, 'invalid_params', 'Model cannot be empty')
  const model = ctx.sim.catalog.find((m) => m.id === modelId)
  if (!model) throw notFound(`Model not found: ${modelId}`)
  if (model.mediaType !== 'image') {
    const message = model.mediaType === 'text' ? ':unsupported_media_type' : 'The Oxen simulator renders images only'
    throw new HttpError(400, 'invalid_params', message)
  }
  const prompt = typeof body.prompt === 'string' ? body.prompt : null
  if (model.schema.required.includes('prompt') && (prompt === null || prompt.trim() === ''))
    throw new HttpError(400, 'invalid_params', 'Prompt cannot be empty')
  return { body, model, prompt }
}

function createGeneration(ctx: RequestContext, request: ValidRequest, index: number): Generation {
  const fields = modelFields(request.body)
  const target =
    typeof fields.target_namespace === 'string' && fields.target_namespace !== ''
      ? fields.target_namespace
      : ctx.user.username
  ctx.sim.stats.generationsCreated += 1
  return ctx.sim.store.create(ctx.user, request.model, request.prompt, index, fields, target)
}

async function enqueue(ctx: RequestContext): Promise<void> {
  const request = await readGenerationRequest(ctx)
  const count = request.body.num_generations ?? 1
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_GENERATIONS)
    throw new HttpError(400, 'invalid_params', `num_generations must be an integer between 1 and ${MAX_GENERATIONS}`)
  ctx.sim.stats.enqueueRequests += 1
  ctx.sim.stats.enqueueBodies.push(structuredClone(request.body))
  const generations = Array.from({ length: count }, (_, index) => createGeneration(ctx, request, index))
  const accepted: AcceptedEnqueue = {
    bodyHash: createHash('sha256').update(canonicalJson(request.body)).digest('hex'),
    body: structuredClone(request.body),
    generationIds: generations.map((g) => g.id),
    answered: false,
  }
  ctx.sim.stats.acceptedEnqueues.push(accepted)
  ctx.res.once('finish', () => (accepted.answered = true))
  sendJson(ctx.res, 200, {
    generations: generations.map((g) => ({ generation_id: g.id, status: g.status })),
  })
}

/** POST /ai/images/generate and /edit: one generation through the same lifecycle, answered when done. */
async function generateSync(ctx: RequestContext): Promise<void> {
  const request = await readGenerationRequest(ctx)
  const generation = createGeneration(ctx, request, 0)
  await ctx.sim.store.settled(generation)
  if (generation.status === 'failed')
    throw new HttpError(400, 'invalid_params', generation.errorMessage ?? 'Generation failed')
  if (generation.status !== 'succeeded') throw new HttpError(500, 'unknown_error', 'Generation was cancelled')
  const created = unixSeconds(generation.completedAt ?? Date.now())
  if (request.body.response_format === 'b64_json') {
    const bytes = await ctx.sim.images.get(renderInput(generation))
    sendJson(ctx.res, 200, { model: request.model.id, created, images: [{ b64_json: bytes.toString('base64') }] })
  } else {
    sendJson(ctx.res, 200, { model: request.model.id, created, images: [{ url: resultUrl(ctx.sim, generation) }] })
  }
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

function renderInput(g: Generation): RenderInput {
  if (!g.output) throw new HttpError(404, 'resource_not_found', 'This generation has no result')
  return { prompt: g.prompt, index: g.index, seed: g.seed, ...g.output }
}

// ---------- results ----------

const RESULT_FILE = new RegExp(`^${RESULT_DIRECTORY}/([0-9a-f-]{36})\\.(png|jpe?g|webp)$`)

/** GET/HEAD …/file/{branch}/{path}: a generated result (presigned or keyed), otherwise an uploaded file. */
async function download(ctx: RequestContext): Promise<void> {
  const { sim, url, req, res } = ctx
  const [namespace, repo, branch, path] = ctx.params
  if (repo !== RESULT_REPO || branch !== 'main') return getFile(ctx)
  const match = RESULT_FILE.exec(path ?? '')
  if (!match) return getFile(ctx)
  const counted = !ctx.internal && req.method === 'GET'
  if (counted) sim.stats.downloadAttempts += 1
  const generation = sim.store.find(match[1]!)
  if (
    !generation ||
    generation.status !== 'succeeded' ||
    generation.targetNamespace !== namespace ||
    generation.output?.format !== match[2]
  )
    throw notFound(`File not found: ${path}`)

  const sig = url.searchParams.get('sig')
  if (sig !== null) {
    const expires = Number(url.searchParams.get('expires'))
    const expected = Buffer.from(signature(sim, url.pathname, expires))
    const given = Buffer.from(sig)
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new HttpError(403, 'forbidden', 'The link signature does not match')
    if (!(Date.now() <= expires) || sim.revokedSignatures.has(sig))
      throw new HttpError(403, 'forbidden', 'The link has expired')
  } else {
    // Without a signature this is a plain repo file read: only the owner's key may fetch it.
    const user = ctx.sim.users.get(bearerToken(req) ?? '')
    if (!user) throw new HttpError(401, 'unauthenticated', 'Unauthenticated')
    if (user.id !== generation.owner.id) throw notFound(`File not found: ${path}`)
  }

  const fault = counted ? sim.faults.beforeDownload(sig !== null) : {}
  if (fault.action === 'expired') {
    sim.revokedSignatures.add(sig!)
    throw new HttpError(403, 'forbidden', 'The link has expired')
  }
  const input = renderInput(generation)
  const bytes = await sim.images.get(input)
  await sendFile(
    req,
    res,
    bytes,
    { 'Content-Type': contentType(input.format), 'Cache-Control': 'private, max-age=3600' },
    fault,
    counted ? () => (sim.stats.downloads += 1) : undefined,
  )
}

// ---------- table ----------

function modelList(ctx: RequestContext, models: CatalogModel[]): void {
  sendJson(ctx.res, 200, { object: 'list', data: models.map((m) => m.object) })
}

export const routes: Route[] = [
  {
    methods: ['GET'],
    pattern: /^\/api\/ai\/models$/,
    auth: 'none',
    handle: (ctx) => {
      const developer = ctx.url.searchParams.get('developer_name')?.toLowerCase()
      modelList(
        ctx,
        ctx.sim.catalog.filter(
          (m) => !developer || String((m.object.developer as { name: string }).name).toLowerCase() === developer,
        ),
      )
    },
  },
  {
    methods: ['GET'],
    pattern: /^\/api\/ai\/models\/search$/,
    auth: 'none',
    handle: (ctx) => {
      const term = (ctx.url.searchParams.get('search') ?? '').toLowerCase()
      modelList(
        ctx,
        ctx.sim.catalog.filter(
          (m) => m.id.toLowerCase().includes(term) || String(m.object.display_name).toLowerCase().includes(term),
        ),
      )
    },
  },
  {
    methods: ['GET'],
    pattern: /^\/api\/ai\/models\/([^/]+)$/,
    auth: 'none',
    handle: (ctx) => {
      const model = ctx.sim.catalog.find((m) => m.id === ctx.params[0])
      if (!model) throw notFound(`Model not found: ${ctx.params[0]}`)
      sendJson(ctx.res, 200, model.detail)
    },
  },
  { methods: ['POST'], pattern: /^\/api\/ai\/queue$/, auth: 'required', handle: enqueue },
  {
    methods: ['GET'],
    pattern: /^\/api\/ai\/queue$/,
    auth: 'required',
    handle: (ctx) => {
      const status = ctx.url.searchParams.get('status')
      const rows = ctx.sim.store
        .ownedBy(ctx.user)
        .filter((g) => (status ? g.status === status : ACTIVE.has(g.status)) && matchesQuery(g, ctx.url.searchParams))
        .map((g) => queueRow(ctx.sim, g, true))
      sendJson(ctx.res, 200, { count: rows.length, generations: rows })
    },
  },
  {
    methods: ['GET'],
    pattern: /^\/api\/ai\/queue\/([^/]+)$/,
    auth: 'required',
    handle: (ctx) => sendJson(ctx.res, 200, queueRow(ctx.sim, ownGeneration(ctx))),
  },
  {
    methods: ['DELETE'],
    pattern: /^\/api\/ai\/queue\/([^/]+)$/,
    auth: 'required',
    handle: (ctx) => {
      const generation = ownGeneration(ctx)
      ctx.sim.store.cancel(generation)
      sendJson(ctx.res, 200, { status: 'success', generation_id: generation.id })
    },
  },
  {
    methods: ['GET'],
    pattern: /^\/api\/ai\/generations$/,
    auth: 'required',
    handle: (ctx) => {
      const query = ctx.url.searchParams
      const status = query.get('status')
      const pageSize = Math.min(1000, Math.max(1, Number.parseInt(query.get('page_size') ?? '50', 10) || 50))
      const page = Math.max(1, Number.parseInt(query.get('page') ?? '1', 10) || 1)
      const all = ctx.sim.store
        .ownedBy(ctx.user)
        .filter((g) => (!status || g.status === status) && matchesQuery(g, query))
        .reverse() // newest first (seeded past rows sort by their own time)
        .sort((a, b) => b.enqueuedAt - a.enqueuedAt)
      const slice = all.slice((page - 1) * pageSize, page * pageSize)
      const totalCost = all.reduce((sum, g) => sum + Number(cost(g)), 0)
      sendJson(ctx.res, 200, {
        count: slice.length,
        generations: slice.map((g) => historyRow(ctx.sim, g, true)),
        page_number: page,
        page_size: pageSize,
        total_cost: totalCost.toFixed(3),
        total_entries: all.length,
        total_pages: Math.max(1, Math.ceil(all.length / pageSize)),
      })
    },
  },
  {
    methods: ['GET'],
    pattern: /^\/api\/ai\/generations\/([^/]+)$/,
    auth: 'required',
    handle: (ctx) =>
      sendJson(ctx.res, 200, {
        generation: historyRow(ctx.sim, ownGeneration(ctx)),
        status: 'success',
        status_message: 'resource_found',
      }),
  },
  { methods: ['POST'], pattern: /^\/api\/ai\/images\/(?:generate|edit)$/, auth: 'required', handle: generateSync },
  {
    methods: ['GET'],
    pattern: /^\/api\/users\/me$/,
    auth: 'required',
    handle: (ctx) => {
      const spent = ctx.sim.store
        .ownedBy(ctx.user)
        .filter((g) => g.status === 'succeeded')
        .reduce((sum, g) => sum + g.cost, 0)
      const { id, username, name, email } = ctx.user
      sendJson(ctx.res, 200, {
        user: { id, username, name, email, image: null, credits: Math.max(0, ctx.sim.startingCredits - spent).toFixed(2) },
        status: 'success',
        status_message: 'resource_found',
      })
    },
  },
  {
    methods: ['GET'],
    pattern: /^\/api\/events$/,
    auth: 'required',
    handle: (ctx) => ctx.sim.hub.open(ctx.user.id, ctx.res, ctx.internal ? {} : ctx.sim.faults.streamBehavior()),
  },
  { methods: ['POST'], pattern: /^\/api\/repos$/, auth: 'required', handle: createRepo },
  {
    methods: ['GET', 'HEAD'],
    pattern: /^\/api\/repos\/([^/]+)\/([^/]+)\/file\/([^/]+)\/(.+)$/,
    auth: 'none',
    handle: download,
  },
  { methods: ['PUT'], pattern: /^\/api\/repos\/([^/]+)\/([^/]+)\/file\/([^/]+)\/(.+)$/, auth: 'required', handle: putFile },
  // Public repos are listed without a key; listDir checks private ones.
  { methods: ['GET'], pattern: /^\/api\/repos\/([^/]+)\/([^/]+)\/dir\/([^/]+)(?:\/(.*))?$/, auth: 'none', handle: listDir },
  {
    methods: ['PUT'],
    pattern: /^\/api\/repos\/([^/]+)\/([^/]+)\/workspaces\/get_or_create$/,
    auth: 'required',
    handle: getOrCreateWorkspace,
  },
  {
    methods: ['POST'],
    pattern: /^\/api\/repos\/([^/]+)\/([^/]+)\/workspaces\/([^/]+)\/files(?:\/(.*))?$/,
    auth: 'required',
    handle: addWorkspaceFiles,
  },
  {
    methods: ['POST'],
    pattern: /^\/api\/repos\/([^/]+)\/([^/]+)\/workspaces\/([^/]+)\/data_frames\/rows\/resource\/(.+)$/,
    auth: 'required',
    handle: addWorkspaceRow,
  },
  {
    methods: ['POST'],
    pattern: /^\/api\/repos\/([^/]+)\/([^/]+)\/workspaces\/([^/]+)\/commit\/([^/]+)$/,
    auth: 'required',
    handle: commitWorkspace,
  },
]

/** The SSE payload for a finished generation (API.md §6). */
export function completionEvent(sim: SimState, g: Generation): Record<string, unknown> | null {
  if (!TERMINAL.has(g.status) || g.status === 'cancelled') return null
  return g.status === 'succeeded'
    ? { generation_id: g.id, status: 'succeeded', media_type: 'image', model: g.model.id, url: resultUrl(sim, g) }
    : { generation_id: g.id, status: 'failed', media_type: 'image', error: g.errorMessage }
}
