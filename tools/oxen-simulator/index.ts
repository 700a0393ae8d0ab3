// A local stand-in for hub.oxen.ai (API.md): real HTTP + SSE on 127.0.0.1 for tests and the demo.
// Routes live in routes.ts; every /api request passes the fault hook in `dispatch` first.
import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ZodError } from 'zod'
import { EventHub } from './events'
import { FaultState, type SimulatorFaults } from './faults'
import { GenerationStore, type User } from './generations'
import { seedHistory, type HistorySeed, type SeededGeneration } from './history'
import { bearerToken, HttpError, isLoopback, readJsonObject, sendError, sendJson, sendProxyPage } from './http'
import { buildCatalog, type DeploymentStatus, type SchemaKey, type SchemaRevision } from './models'
import { loadReferences } from './references'
import { ImageCache } from './render'
import { RepoStore } from './repo-store'
import { ANONYMOUS, completionEvent, routes, type AcceptedEnqueue, type MutableStats, type SimState } from './routes'
import { DEFAULT_MODELS_DIR, readModelFiles } from './schemas'

export type { SimulatorFaults, RequestFault, DownloadFault, StreamFault, GenerationFault, CommitFault } from './faults'
export type { HistorySeed, SeededGeneration } from './history'
export { InvalidFaultsError } from './faults'
export type { DeploymentStatus, SchemaKey, SchemaRevision } from './models'
export type { AcceptedEnqueue } from './routes'
export { NAMED_FAULTS, parseFaultSpec, faultHelp, MODERATION_MESSAGE } from './fault-catalog'

/** Marks the simulator's own HTTP requests (reference fetches from itself). */
const INTERNAL_HEADER = 'x-oxen-simulator-internal'

export interface SimulatorOptions {
  port?: number // 0 (default) = random free port
  apiKeys: string[] // accepted Bearer keys; each key is its own user (own generations, own SSE stream)
  namespace?: string // the first key's namespace/username, default 'atelier-user'; later keys get '<ns>-2', …
  schemaRevision?: SchemaRevision // Seedream 5.0 Lite's schema revision, default 'seed'
  schemaKey?: SchemaKey // the one key Seedream's schema is served under, default 'json_request_schema'
  modelsDir?: string // the model schema files, default ../shared/oxen/models beside the repo
  customModelDeployment?: DeploymentStatus // the custom model's deployment, default 'running'
  queuedMs?: number // time a generation stays 'queued' (default 300)
  processingMs?: number // time it stays 'processing' (default 700)
  resultTtlMs?: number // result URL lifetime, default 1 hour
  keepAliveMs?: number // SSE `: keep-alive` interval, default 15 s
  credits?: number // starting balance shown by /api/users/me, default 12.50
  faults?: SimulatorFaults // initial fault set (see faults.ts); replace later with POST /__sim/faults
  reposPublicByDefault?: boolean // `is_public` of a repo created without one, default true (see README "Repos")
  history?: HistorySeed // past generations to seed at start (see history.ts); later: POST /__sim/history
  log?: (line: string) => void // one line per request: method, path, status, ms (never headers)
}

export interface SimulatorStats {
  enqueueRequests: number // POST /api/ai/queue calls that were accepted (answered or not)
  enqueueBodies: Record<string, unknown>[] // their JSON bodies, in order
  acceptedEnqueues: AcceptedEnqueue[] // the same calls with body hash, generation ids and whether the answer went out
  generationsCreated: number
  downloads: number // result downloads whose intact body was sent in full
  downloadAttempts: number // every GET of a result file (refused, faulted or not)
  sseConnections: number // currently open event streams
  sseStreamsOpened: number // event streams opened since start
  referencesFetched: { url: number; dataUri: number } // reference images read over HTTP / decoded from data URIs
  referenceFailures: number // references that could not be read or decoded (each fails its generation)
  reposCreated: number
  uploads: number // files committed through PUT …/file/…
  workspaceFilesAdded: number // paths staged by workspace file adds (each path of each accepted add counts)
  workspaceAddedPaths: string[] // those paths as '<ns>/<repo>/<path>', in order
  workspaceRowsAdded: number // data-frame rows staged
  workspaceCommits: number // workspace commits applied (commit-5xx-after-apply included)
}

export interface Simulator {
  baseUrl: string // e.g. 'http://127.0.0.1:43123' (no trailing slash); the app's "Oxen base URL"
  stats(): SimulatorStats
  /** Close every open SSE stream now (tests use it to force the poll fallback). */
  dropEventStreams(): void
  /** Replace the fault set (same shape as POST /__sim/faults, `named` included); throws InvalidFaultsError. */
  setFaults(faults: SimulatorFaults): void
  /** Adds past generations to a user's history (same body as POST /__sim/history); throws HttpError 400 on a bad seed. */
  seedHistory(seed: HistorySeed): SeededGeneration[]
  close(): Promise<void>
}

/** Makes every write to `res` a no-op, so nothing reaches the client before the socket is destroyed. */
function swallowAnswer(res: ServerResponse): void {
  res.writeHead = (() => res) as unknown as ServerResponse['writeHead']
  res.flushHeaders = () => {}
  res.write = (() => true) as unknown as ServerResponse['write']
  res.end = (() => res) as unknown as ServerResponse['end']
}

/** Reads about half of the body (at least one chunk), then destroys the connection unanswered. */
async function resetMidBody(req: IncomingMessage): Promise<void> {
  const length = Number(req.headers['content-length'])
  const want = Number.isFinite(length) && length > 1 ? Math.floor(length / 2) : 1
  let got = 0
  await new Promise<void>((resolve) => {
    const done = () => {
      req.off('data', onData)
      resolve()
    }
    const onData = (chunk: Buffer) => {
      got += chunk.length
      if (got >= want) done()
    }
    req.on('data', onData)
    req.once('end', done)
    req.once('close', done)
  })
  req.socket.destroy()
}

/** The handler runs now; what it answers goes out `ms` later (headers are sent with the body). */
function holdAnswer(res: ServerResponse, ms: number): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse
  res.end = ((...args: unknown[]) => {
    setTimeout(() => end(...args), ms).unref()
    return res
  }) as unknown as ServerResponse['end']
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  if (!Array.isArray(options.apiKeys) || options.apiKeys.some((k) => typeof k !== 'string' || k === ''))
    throw new TypeError('apiKeys must be a list of non-empty strings')
  const namespace = options.namespace ?? 'atelier-user'
  const modelFiles = readModelFiles(options.modelsDir ?? DEFAULT_MODELS_DIR)
  const users = new Map<string, User>()
  for (const key of options.apiKeys) {
    if (users.has(key)) continue
    const username = users.size === 0 ? namespace : `${namespace}-${users.size + 1}`
    users.set(key, { id: randomUUID(), key, username, name: username, email: `${username}@example.com` })
  }

  const faults = new FaultState(options.faults)
  const hub = new EventHub(options.keepAliveMs ?? 15_000)
  const internalToken = randomBytes(16).toString('hex')
  const stats: MutableStats = {
    enqueueRequests: 0,
    enqueueBodies: [],
    acceptedEnqueues: [],
    generationsCreated: 0,
    downloads: 0,
    downloadAttempts: 0,
    referencesFetched: { url: 0, dataUri: 0 },
    referenceFailures: 0,
    reposCreated: 0,
    uploads: 0,
    workspaceFilesAdded: 0,
    workspaceAddedPaths: [],
    workspaceRowsAdded: 0,
    workspaceCommits: 0,
  }
  const sim: SimState = {
    baseUrl: '',
    users,
    catalog: [], // built once the port is known (absolute endpoints)
    store: new GenerationStore({
      queuedMs: options.queuedMs ?? 300,
      processingMs: options.processingMs ?? 700,
      onFinished: (generation) => {
        const event = completionEvent(sim, generation)
        if (event) hub.publish(generation.owner.id, 'media_generation_completed', event)
      },
      outcome: () => faults.generationOutcome(),
      loadReferences: (references) => loadReferences(references, { stats, internalHeader: [INTERNAL_HEADER, internalToken] }),
    }),
    hub,
    images: new ImageCache(),
    faults,
    stats,
    signingKey: randomBytes(32),
    resultTtlMs: options.resultTtlMs ?? 60 * 60 * 1000,
    startingCredits: options.credits ?? 12.5,
    repos: new RepoStore(),
    reposPublicByDefault: options.reposPublicByDefault ?? true,
    revokedSignatures: new Set(),
  }

  const snapshot = (): SimulatorStats => ({
    ...structuredClone(stats),
    sseConnections: hub.openCount,
    sseStreamsOpened: hub.opened,
  })

  const control = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (!isLoopback(req.socket.remoteAddress)) return sendError(res, 403, 'forbidden', 'Loopback only')
    const route = `${req.method} ${path}`
    if (route === 'GET /__sim/stats') return sendJson(res, 200, snapshot())
    if (route === 'POST /__sim/drop-streams') {
      const closed = hub.openCount
      hub.closeAll()
      return sendJson(res, 200, { status: 'success', closed })
    }
    if (route === 'GET /__sim/faults') return sendJson(res, 200, faults.get())
    if (route === 'POST /__sim/faults') {
      faults.set(await readJsonObject(req))
      return sendJson(res, 200, faults.get())
    }
    if (route === 'POST /__sim/history') {
      const generations = seedHistory(sim, await readJsonObject(req))
      return sendJson(res, 200, { status: 'success', count: generations.length, generations })
    }
    sendError(res, 404, 'resource_not_found', `No simulator control at ${route}`)
  }

  const dispatch = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now()
    const method = req.method ?? 'GET'
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (options.log) {
      res.on('close', () =>
        options.log?.(`${method} ${url.pathname} ${res.headersSent ? res.statusCode : 'reset'} ${Date.now() - started}ms`),
      )
    }
    let unanswered = false
    try {
      if (url.pathname.startsWith('/__sim/')) return await control(req, res, url.pathname)

      const internal = req.headers[INTERNAL_HEADER] === internalToken
      const action = internal ? { kind: 'continue' as const } : await faults.beforeRequest(method, url.pathname)
      if (action.kind === 'reset') return void req.socket.destroy()
      if (action.kind === 'reset-mid-body') return await resetMidBody(req)
      if (action.kind === 'status') {
        const headers: Record<string, string> =
          action.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(action.retryAfterSeconds) }
        if (action.status === 429) return sendError(res, 429, 'rate_limited', 'rate limit exceeded', headers)
        if (action.status === 502 || action.status === 503) return sendProxyPage(res, action.status, headers)
        return sendError(res, action.status, 'unknown_error', `Simulated error ${action.status}`, headers)
      }
      if (action.kind === 'reset-after-read') {
        unanswered = true
        swallowAnswer(res)
      }
      if (action.kind === 'slow-answer') holdAnswer(res, action.delayMs)

      const candidates = routes
        .map((route) => ({ route, match: route.pattern.exec(url.pathname) }))
        .filter((c) => c.match !== null)
      const hit = candidates.find((c) => c.route.methods.includes(method))
      if (!hit?.match) return sendError(res, 404, 'resource_not_found', `No route for ${method} ${url.pathname}`)

      let user = ANONYMOUS
      if (hit.route.auth === 'required') {
        const found = users.get(bearerToken(req) ?? '')
        if (!found) return sendError(res, 401, 'unauthenticated', 'Unauthenticated: a valid API key is required')
        user = found
      }
      const params = hit.match.slice(1).map((p) => decodeURIComponent(p ?? ''))
      await hit.route.handle({ req, res, url, params, user, sim, internal })
    } catch (error) {
      if (error instanceof HttpError) return sendError(res, error.status, error.type, error.message)
      if (error instanceof URIError) return sendError(res, 400, 'invalid_params', 'Malformed URL encoding')
      if (error instanceof ZodError)
        return sendError(res, 400, 'invalid_params', error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
      sendError(res, 500, 'unknown_error', error instanceof Error ? error.message : 'Internal error')
    } finally {
      // reset-after-read: the request was handled in full; now the connection goes without an answer.
      if (unanswered) req.socket.destroy()
    }
  }

  const server = createServer((req, res) => void dispatch(req, res))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  sim.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  sim.catalog = buildCatalog(modelFiles, {
    revision: options.schemaRevision ?? 'seed',
    schemaKey: options.schemaKey ?? 'json_request_schema',
    namespace,
    customDeployment: options.customModelDeployment ?? 'running',
    baseUrl: sim.baseUrl,
  })
  if (options.history) seedHistory(sim, options.history)

  let closing: Promise<void> | null = null
  return {
    baseUrl: sim.baseUrl,
    stats: snapshot,
    dropEventStreams: () => hub.closeAll(),
    setFaults: (next) => faults.set(next),
    seedHistory: (seed) => seedHistory(sim, seed),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        sim.store.dispose()
        hub.closeAll()
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}
