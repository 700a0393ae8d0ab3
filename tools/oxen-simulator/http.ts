// Small node:http helpers: JSON replies, Oxen's error envelope (API.md §7) and body reading.
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'

export type ErrorType =
  | 'unauthenticated'
  | 'invalid_params'
  | 'resource_not_found'
  | 'unknown_error'
  | 'forbidden'
  | 'rate_limited'
  | 'payload_too_large'
  | 'conflict'
  | 'no_changes'

/** Largest request body accepted (data-URI references can be big). */
const MAX_BODY_BYTES = 64 * 1024 * 1024

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

/** `{"error":{"type","title"},"status":"error","status_message":type}` — Oxen's documented envelope. */
export function errorBody(type: ErrorType, title: string): Record<string, unknown> {
  return { error: { type, title }, status: 'error', status_message: type }
}

export function sendError(
  res: ServerResponse,
  status: number,
  type: ErrorType,
  title: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, errorBody(type, title), headers)
}

/** The kind of page a proxy in front of the hub answers with for 502/503 (not JSON). */
export function sendProxyPage(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`
  const html = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`
  res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(html), ...headers })
  res.end(html)
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Reads the whole body. Past `limit` the rest is still read (and dropped) before the 413, so the client gets
 * the answer instead of a reset while it is still sending.
 */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES, tooLarge = 'Request body is too large'): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size <= limit) chunks.push(chunk)
  }
  if (size > limit) throw new HttpError(413, 'payload_too_large', tooLarge)
  return Buffer.concat(chunks)
}

/** Reads a JSON object body; anything else is a 400 invalid_params. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = (await readBody(req)).toString('utf8')
  let parsed: unknown
  try {
    parsed = raw.trim() === '' ? {} : JSON.parse(raw)
  } catch {
    throw new HttpError(400, 'invalid_params', 'Request body must be valid JSON')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HttpError(400, 'invalid_params', 'Request body must be a JSON object')
  }
  return parsed as Record<string, unknown>
}

export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization
  if (!header) return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1] ?? null
}

export function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1'
}

export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000)
}
