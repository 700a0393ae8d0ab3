// HTTP, SSE and downloads against the Oxen API (../shared/oxen/API.md). Main-process only: the key is
// read per request from the secret store and sent only to the configured API origin.
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { STATUS_CODES } from 'node:http'
import { rm } from 'node:fs/promises'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import { AppFailure } from '../errors'
import type { Logger } from '../log'

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>

export interface OxenClientOptions {
  /** e.g. https://hub.oxen.ai — API paths are appended to it. */
  baseUrl: string
  getKey: () => Promise<string | null>
  fetch?: FetchLike
  /** Delays for GET retries; tests shrink them. */
  retry?: { attempts: number; baseMs: number; capMs: number }
  log?: Logger
}

/** A queue row (API.md §4.3), normalised across doc revisions. */
export interface GenerationRow {
  id: string
  status: string
  resultUrl: string | null
  error: string | null
  /** The row came back 404: per API.md a known id may vanish once terminal. */
  missing?: boolean
}

export interface CompletionEvent {
  generationId: string
  status: 'succeeded' | 'failed'
  url: string | null
  error: string | null
}

export type EnqueueOutcome =
  | { kind: 'accepted'; ids: string[] }
  /** Oxen answered no (bad key, bad params, no credit): nothing was billed; resending would fail again. */
  | { kind: 'rejected'; error: AppFailure }
  /** Certainly not accepted (429/503, or the connection never opened): safe to send again. */
  | { kind: 'not-accepted'; error: AppFailure; retryAfterMs?: number }
  /** May have been accepted (connection lost after sending, 5xx, unreadable answer): consult the queue. */
  | { kind: 'unknown'; error: AppFailure }

/** Errors that mean no connection was ever made, so no request bytes reached the server (Oxen is unreachable). */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])

export function connectionNeverOpened(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && NEVER_CONNECTED.has(code)) return true
    if (e instanceof AppFailure && e.code === 'no-key') return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}

export const TERMINAL_STATUSES = new Set(['succeeded', 'failed', 'cancelled'])

/** An error answer from Oxen: its HTTP status, and how long it asked us to wait (Retry-After), travel along. */
export class OxenHttpFailure extends AppFailure {
  constructor(
    code: AppFailure['code'],
    message: string,
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(code, message)
  }
}

/** The wait an error asked for (Retry-After), if any. */
export function retryAfterOf(error: unknown): number | undefined {
  return error instanceof OxenHttpFailure ? error.retryAfterMs : undefined
}

/** Thrown when a stream or download sent no bytes for the read timeout: the connection is presumed dead. */
export class StalledConnection extends AppFailure {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unreachable', message, options)
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined)

/**
 * API.md §7: message = error.detail ‖ error.message ‖ error.title ‖ error(string) ‖ error_message ‖ status_message.
 * A proxy's HTML page is no message; an upstream error wrapped as JSON inside the text (moderation refusals:
 * `Upstream request failed with status 422 …: {"error":{"message":…}}`) is unwrapped to its own message.
 */
export function oxenErrorMessage(body: unknown, depth = 0): string | undefined {
  const found = messageOf(body)
  return found === undefined ? undefined : unwrapEmbedded(found, depth)
}

function messageOf(body: unknown): string | undefined {
  if (!isRecord(body)) {
    if (typeof body !== 'string' || !body.trim() || /^\s*</.test(body)) return undefined
    return body.trim().slice(0, 300)
  }
  const error = body.error
  if (isRecord(error)) {
    const detail = error.detail
    const detailText = str(detail) ?? (isRecord(detail) ? (str(detail.message) ?? str(detail.detail)) : undefined)
    const found = detailText ?? str(error.message) ?? str(error.title)
    if (found) return found
  }
  const text = str(error) ?? str(body.error_message) ?? str(body.message) ?? str(body.status_message)
  return text && /^\s*</.test(text) ? undefined : text
}

function unwrapEmbedded(text: string, depth: number): string {
  const start = text.indexOf('{')
  if (start < 0 || depth > 2) return text
  try {
    return oxenErrorMessage(JSON.parse(text.slice(start)), depth + 1) ?? text
  } catch {
    return text // the brace began no JSON: the text is the message as it stands
  }
}

function retryAfterMs(res: Response): number | undefined {
  const header = res.headers.get('retry-after')
  if (!header) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(header)
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined
}

/** "502 Bad Gateway". */
function statusLine(res: Response): string {
  const text = res.statusText || STATUS_CODES[res.status]
  return text ? `${res.status} ${text}` : String(res.status)
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const t = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true })
  })

/** Capped exponential backoff with full jitter. */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt)
}

export class OxenClient {
  readonly origin: string
  private readonly base: string
  private readonly fetchImpl: FetchLike
  private readonly retry: { attempts: number; baseMs: number; capMs: number }

  constructor(private readonly options: OxenClientOptions) {
    const url = new URL(options.baseUrl)
    this.origin = url.origin
    this.base = url.href.replace(/\/+$/, '')
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init))
    this.retry = options.retry ?? { attempts: 4, baseMs: 500, capMs: 8000 }
  }

  private async authHeaders(url: string): Promise<Record<string, string>> {
    if (new URL(url).origin !== this.origin) return {}
    const key = await this.options.getKey()
    if (!key) throw new AppFailure('no-key', 'Add your Oxen API key in Settings first.')
    return { Authorization: `Bearer ${key}` }
  }

  /** One request; network failures become a plain "unreachable" message without the URL's secrets. */
  private async send(url: string, init: RequestInit & { auth?: boolean }): Promise<Response> {
    const headers = { Accept: 'application/json', ...(init.auth === false ? {} : await this.authHeaders(url)), ...init.headers }
    try {
      return await this.fetchImpl(url, { ...init, headers, redirect: 'manual' })
    } catch (error) {
      if (init.signal?.aborted) throw error
      throw new AppFailure(
        'unreachable',
        `Atelier can’t reach Oxen at ${this.origin}. Check your internet connection, then try again.`,
        { cause: error },
      )
    }
  }

  /** An authenticated request to an API path (no retries); for modules that speak other parts of the API. */
  request(path: string, init: RequestInit = {}): Promise<Response> {
    return this.send(this.base + path, init)
  }

  /** Absolute URL of an API path on the configured server. */
  url(path: string): string {
    return this.base + path
  }

  /** Turns a non-OK answer into a plain-sentence AppFailure (API.md §7). */
  async failure(res: Response, what: string): Promise<OxenHttpFailure> {
    let body: unknown
    try {
      const text = await res.text()
      try {
        body = JSON.parse(text)
      } catch {
        body = text // a plain-text (or HTML) answer: oxenErrorMessage takes text too
      }
    } catch {
      body = undefined // the body broke off: the status alone makes the message
    }
    const message = oxenErrorMessage(body)
    const status = res.status
    const wait = status === 429 || status === 503 ? retryAfterMs(res) : undefined
    if (status === 401 || status === 403) {
      return new OxenHttpFailure('unauthorized', 'Oxen did not accept your API key. Check it in Settings (Test key), or paste a new key from your Oxen.ai account.', status)
    }
    if (status === 404) return new OxenHttpFailure('not-found', message ? `${what}: ${message}` : `${what}: not found on Oxen.`, status)
    if (status === 429) return new OxenHttpFailure('oxen-error', 'Oxen is rate-limiting requests right now. Wait a moment and try again.', status, wait)
    if (status >= 500) {
      // A proxy's HTML page carries no message: say what the status means instead.
      const said = message ? `: ${message}` : ''
      return new OxenHttpFailure('oxen-error', `${what} failed: Oxen answered with a server error (${statusLine(res)}${said}). Try again in a minute.`, status, wait)
    }
    return new OxenHttpFailure('oxen-error', `${what} failed: ${message ?? `Oxen answered ${statusLine(res)}`}.`, status)
  }

  /** GET with retries on network errors, 429 and 5xx, honouring Retry-After. */
  async getJson(path: string, what: string, opts: { auth?: boolean; signal?: AbortSignal } = {}): Promise<unknown> {
    const url = this.base + path
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.retry.attempts - 1
      let res: Response
      try {
        res = await this.send(url, { method: 'GET', ...opts })
      } catch (error) {
        if (last || !(error instanceof AppFailure) || error.code !== 'unreachable') throw error
        await sleep(backoffMs(attempt, this.retry.baseMs, this.retry.capMs), opts.signal)
        continue
      }
      if (res.ok) return res.json()
      if (!last && (res.status === 429 || res.status >= 500)) {
        await res.body?.cancel()
        const wait = retryAfterMs(res) ?? backoffMs(attempt, this.retry.baseMs, this.retry.capMs)
        await sleep(Math.min(wait, 60_000), opts.signal)
        continue
      }
      throw await this.failure(res, what)
    }
  }

  /** The model object including its request schema (API.md §4.6). The catalog may be read without a key. */
  async getModel(modelId: string): Promise<Record<string, unknown>> {
    const key = await this.options.getKey()
    const body = await this.getJson(`/api/ai/models/${encodeURIComponent(modelId)}`, `Loading ${modelId}`, { auth: Boolean(key) })
    const model = isRecord(body) && isRecord(body.model) ? body.model : body // tolerate a wrapped object
    if (!isRecord(model)) throw new AppFailure('oxen-error', `Oxen returned an unreadable description of ${modelId}.`)
    return model
  }

  /** A cheap authenticated call used by "Test key". */
  async getCurrentUser(): Promise<Record<string, unknown>> {
    const body = await this.getJson('/api/users/me', 'Checking your key')
    return isRecord(body) ? body : {}
  }

  /**
   * POST /api/ai/queue, once. Never retried here: a POST that reached Oxen may have been billed, so the
   * outcome says whether resending is safe (`not-accepted`) or the queue must be consulted (`unknown`).
   */
  async enqueue(body: Record<string, unknown>): Promise<EnqueueOutcome> {
    let res: Response
    try {
      res = await this.send(`${this.base}/api/ai/queue`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } })
    } catch (error) {
      const failure = error instanceof AppFailure ? error : new AppFailure('unreachable', 'The request to Oxen failed.', { cause: error })
      // Only a connection that never opened proves the request was not sent.
      return connectionNeverOpened(error) ? { kind: 'not-accepted', error: failure } : { kind: 'unknown', error: failure }
    }
    if (res.status === 429 || res.status === 503) {
      const retryAfter = retryAfterMs(res)
      return { kind: 'not-accepted', error: await this.failure(res, 'Starting the generation'), ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) }
    }
    if (res.status >= 500) return { kind: 'unknown', error: await this.failure(res, 'Starting the generation') }
    if (!res.ok) return { kind: 'rejected', error: await this.failure(res, 'Starting the generation') }
    let json: unknown
    try {
      json = await res.json()
    } catch (error) {
      return { kind: 'unknown', error: new AppFailure('oxen-error', 'Oxen’s answer to a generation request was cut off.', { cause: error }) }
    }
    const list = isRecord(json) && Array.isArray(json.generations) ? json.generations : null
    const ids = (list ?? []).map((g) => (isRecord(g) ? (str(g.generation_id) ?? str(g.id)) : undefined))
    if (!list || ids.length === 0 || ids.some((id) => !id)) {
      const message = oxenErrorMessage(json)
      return {
        kind: 'rejected',
        error: new AppFailure('oxen-error', `Oxen did not start the generation${message ? `: ${message}` : ' (its answer had no generation ids)'}.`),
      }
    }
    return { kind: 'accepted', ids: ids as string[] }
  }

  /**
   * Generations of `model` whose prompt matches, enqueued at or after `since` (unix ms): the active queue
   * and the recent history, for reconciling an enqueue whose answer was lost.
   */
  async findRecentGenerations(model: string, prompt: string, since: number): Promise<{ id: string; enqueuedAt: number }[]> {
    const query = `model=${encodeURIComponent(model)}`
    const [active, history] = await Promise.all([
      this.getJson(`/api/ai/queue?${query}`, 'Checking the queue'),
      // The history only adds generations that already left the queue: without it, the queue still answers.
      this.getJson(`/api/ai/generations?${query}&media_type=image&page=1&page_size=100`, 'Checking recent generations').catch((error: unknown) => {
        this.options.log?.warn('recent generations unreadable; reconciling against the queue alone', { model, error })
        return null
      }),
    ])
    const rows = [active, history].flatMap((body) => (isRecord(body) && Array.isArray(body.generations) ? body.generations : []))
    const found = new Map<string, number>()
    for (const row of rows) {
      if (!isRecord(row)) continue
      const id = str(row.generation_id) ?? str(row.id)
      const enqueuedAt = typeof row.enqueued_at === 'number' ? row.enqueued_at * 1000 : Date.parse(String(row.enqueued_at ?? ''))
      // Whole seconds on the server: allow one second of rounding.
      if (id && row.prompt === prompt && Number.isFinite(enqueuedAt) && enqueuedAt >= since - 1000) found.set(id, enqueuedAt)
    }
    return [...found].map(([id, enqueuedAt]) => ({ id, enqueuedAt })).sort((a, b) => a.enqueuedAt - b.enqueuedAt || a.id.localeCompare(b.id))
  }

  /** The generation's cost from its history record (API.md §4.5), as a decimal string, when known. */
  async getCost(id: string, signal?: AbortSignal): Promise<string | null> {
    const body = await this.getJson(`/api/ai/generations/${encodeURIComponent(id)}`, 'Reading a generation’s cost', signal ? { signal } : {})
    const generation = isRecord(body) && isRecord(body.generation) ? body.generation : body
    const cost = isRecord(generation) ? generation.cost : undefined
    return typeof cost === 'string' || typeof cost === 'number' ? String(cost) : null
  }

  /**
   * A generation's status and result (API.md §4.3). Older servers answer 404 once a job is terminal: then its
   * history record (§4.5) is read instead; `missing` only when neither knows the id.
   */
  async getGeneration(id: string, signal?: AbortSignal): Promise<GenerationRow> {
    const opts = signal ? { signal } : {}
    const toRow = (row: unknown): GenerationRow => {
      if (!isRecord(row)) throw new AppFailure('oxen-error', 'Oxen returned an unreadable generation status.')
      return {
        id,
        status: str(row.status) ?? 'unknown',
        resultUrl: str(row.result_url) ?? str(row.url) ?? null,
        error: oxenErrorMessage({ error_message: row.error_message }) ?? oxenErrorMessage({ error: row.error }) ?? null,
      }
    }
    const notFound = (error: unknown) => error instanceof AppFailure && error.code === 'not-found'
    try {
      return toRow(await this.getJson(`/api/ai/queue/${encodeURIComponent(id)}`, 'Checking a generation', opts))
    } catch (error) {
      if (!notFound(error)) throw error
    }
    try {
      const body = await this.getJson(`/api/ai/generations/${encodeURIComponent(id)}`, 'Checking a generation', opts)
      return toRow(isRecord(body) && isRecord(body.generation) ? body.generation : body)
    } catch (error) {
      if (notFound(error)) return { id, status: 'unknown', resultUrl: null, error: null, missing: true }
      throw error
    }
  }

  /** DELETE /api/ai/queue/{id}; any 4xx means "not cancellable" (already terminal or unknown). */
  async cancel(id: string): Promise<boolean> {
    const res = await this.send(`${this.base}/api/ai/queue/${encodeURIComponent(id)}`, { method: 'DELETE' })
    await res.body?.cancel()
    if (res.ok) return true
    if (res.status >= 400 && res.status < 500) return false
    throw await this.failure(res, 'Cancelling a generation')
  }

  /**
   * Reads the per-user SSE stream until it ends or `signal` aborts. Calls `onOpen` once connected
   * and `onCompletion` for each media_generation_completed event; other event types are ignored.
   * With `readTimeoutMs`, a stream that sends no bytes at all (not even the 15 s keep-alive) for that long
   * is dropped with a StalledConnection, so the caller can poll and reconnect.
   */
  async streamEvents(handlers: {
    signal: AbortSignal
    onOpen: () => void
    onCompletion: (e: CompletionEvent) => void
    readTimeoutMs?: number
  }): Promise<void> {
    const watch = readWatchdog(handlers.signal, handlers.readTimeoutMs)
    try {
      const res = await this.send(`${this.base}/api/events`, {
        method: 'GET',
        signal: watch.signal,
        headers: { Accept: 'text/event-stream', 'Cache-Control': 'no-cache' },
      })
      if (!res.ok || !res.body) throw await this.failure(res, 'Listening for results')
      handlers.onOpen()
      const parser = createParser({
        onEvent: (message: EventSourceMessage) => {
          if (message.event !== 'media_generation_completed') return
          const event = parseCompletion(message.data)
          if (event) handlers.onCompletion(event)
        },
      })
      const decoder = new TextDecoder()
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        watch.touch()
        parser.feed(decoder.decode(chunk, { stream: true }))
      }
    } catch (error) {
      if (watch.stalled()) throw new StalledConnection('The result stream from Oxen went silent.', { cause: error })
      throw error
    } finally {
      watch.stop()
    }
  }

  /**
   * Streams a result to `destPath` (never buffered whole) and checks the size against Content-Length.
   * The key goes along only when the URL is on the API origin; redirects are followed without it.
   */
  async download(
    url: string,
    destPath: string,
    opts: { signal?: AbortSignal; onProgress?: (received: number, total: number | null) => void; readTimeoutMs?: number } = {},
  ): Promise<{ bytes: number; contentType: string | null }> {
    // No bytes (nor headers) for readTimeoutMs: the connection is presumed dead and the download fails.
    const watch = readWatchdog(opts.signal, opts.readTimeoutMs)
    const stalled = (error: unknown) =>
      watch.stalled() ? new StalledConnection('The download of an image stalled. Atelier will try again.', { cause: error }) : error
    try {
      let current = url
      let res: Response | undefined
      for (let hop = 0; hop < 5; hop++) {
        const sameOrigin = new URL(current).origin === this.origin
        res = await this.send(current, { method: 'GET', auth: sameOrigin, signal: watch.signal, headers: { Accept: 'image/*' } }).catch((error: unknown) => {
          throw stalled(error)
        })
        const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null
        if (!location) break
        await res.body?.cancel()
        current = new URL(location, current).href
      }
      if (res?.status === 403) {
        // Result links are presigned and expire (API.md §4.1): a refusal is not about the API key.
        const failure = await this.failure(res, 'Downloading an image')
        throw new OxenHttpFailure('oxen-error', 'Oxen refused the image’s download link; it has probably expired.', 403, failure.retryAfterMs)
      }
      if (!res || !res.ok || !res.body) throw await this.failure(res ?? new Response(null, { status: 502 }), 'Downloading an image')
      const lengthHeader = res.headers.get('content-length')
      const total = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null
      let received = 0
      const counter = new Transform({
        transform(chunk: Buffer, _enc, callback) {
          watch.touch()
          received += chunk.length
          opts.onProgress?.(received, total)
          callback(null, chunk)
        },
      })
      const file = createWriteStream(destPath)
      try {
        await pipeline(Readable.fromWeb(res.body as WebReadableStream), counter, file, { signal: watch.signal })
      } catch (error) {
        // The file may still be opening: remove it only once it is closed, or it would appear after the rm.
        if (!file.closed) await once(file, 'close').catch(() => undefined) // it errored instead of closing: nothing left to wait for
        await rm(destPath, { force: true })
        if (opts.signal?.aborted) throw error
        if (watch.stalled()) throw stalled(error)
        throw new AppFailure('unreachable', 'The download of an image was interrupted. Atelier will try again.', { cause: error })
      }
      if (total !== null && received !== total) {
        await rm(destPath, { force: true })
        throw new AppFailure('oxen-error', `An image download was cut short (${received} of ${total} bytes).`)
      }
      return { bytes: received, contentType: res.headers.get('content-type') }
    } finally {
      watch.stop()
    }
  }
}

/**
 * An abort signal that also fires when `touch()` has not been called for `timeoutMs` (no timeout when absent).
 * `stalled()` tells that case apart from the caller's own abort.
 */
function readWatchdog(outer: AbortSignal | undefined, timeoutMs: number | undefined) {
  const idle = new AbortController()
  let timer: NodeJS.Timeout | undefined
  let touches = 0
  const touch = () => {
    touches++
    if (!timeoutMs) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      // After a busy spell timers run before pending I/O: read what has already arrived before calling it a stall.
      const seen = touches
      setImmediate(() => {
        if (touches === seen) idle.abort(new Error(`no data for ${timeoutMs} ms`))
      })
    }, timeoutMs)
    timer.unref?.()
  }
  touch()
  return {
    signal: outer ? AbortSignal.any([outer, idle.signal]) : idle.signal,
    touch,
    stalled: () => idle.signal.aborted && !outer?.aborted,
    stop: () => clearTimeout(timer),
  }
}

function parseCompletion(data: string): CompletionEvent | null {
  let json: unknown
  try {
    json = JSON.parse(data)
  } catch {
    return null // dropped like any event we cannot use: the engine's safety poll still finds the result
  }
  if (!isRecord(json)) return null
  const generationId = str(json.generation_id)
  const status = json.status
  if (!generationId || (status !== 'succeeded' && status !== 'failed')) return null
  return {
    generationId,
    status,
    url: str(json.url) ?? str(json.result_url) ?? null,
    error: oxenErrorMessage({ error: json.error }) ?? str(json.error_message) ?? null,
  }
}
