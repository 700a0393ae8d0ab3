// Reference images, fetched the way the hosted model would while a generation processes (API.md §3, §10).
// Only loopback http URLs are actually fetched (the simulator never leaves the machine); anything else fails
// like an unreachable URL. `data:image/…;base64,` URIs are decoded. Every reference must decode as an image.
import { STATUS_CODES } from 'node:http'
import sharp from 'sharp'
import type { PixelSize } from './geometry'

export type ReferenceOutcome = { ok: true; first: PixelSize | null } | { ok: false; error: string }

export interface ReferenceStats {
  /** References fetched over HTTP (loopback URLs) and decoded from data URIs. */
  referencesFetched: { url: number; dataUri: number }
  referenceFailures: number
}

export interface ReferenceLoaderOptions {
  stats: ReferenceStats
  /** A header marking the simulator's own fetches, so its request/download faults and stats skip them. */
  internalHeader: [string, string]
  timeoutMs?: number
}

const MAX_REFERENCE_BYTES = 30 * 1024 * 1024
const MAX_REDIRECTS = 3
const DATA_URI = /^data:image\/[a-z0-9.+-]+;base64,([a-z0-9+/=\s]*)$/i
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** Python-requests wording, as Oxen's service reports it (API.md §7: `… 403 Client Error: Forbidden for url: …`). */
function httpError(status: number, url: string): string {
  const kind = status >= 500 ? 'Server Error' : 'Client Error'
  return `Failed to load input image: ${status} ${kind}: ${STATUS_CODES[status] ?? 'Error'} for url: ${url}`
}

/** How a reference shows in a message: data URIs are cut short. */
function shown(reference: string): string {
  return reference.startsWith('data:') && reference.length > 48 ? `${reference.slice(0, 48)}…` : reference
}

class ReferenceError extends Error {}

/** A fetchable URL: http on a loopback host. */
function loopbackUrl(reference: string): URL | null {
  try {
    const url = new URL(reference)
    return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname) ? url : null
  } catch {
    return null
  }
}

async function fetchLoopback(reference: string, options: ReferenceLoaderOptions): Promise<Buffer> {
  let url = loopbackUrl(reference)
  for (let hop = 0; url && hop <= MAX_REDIRECTS; hop++) {
    const res = await fetch(url, {
      headers: { [options.internalHeader[0]]: options.internalHeader[1] },
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    })
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      await res.body?.cancel()
      url = loopbackUrl(new URL(res.headers.get('location')!, url).href) // redirects off loopback are refused
      continue
    }
    if (!res.ok) {
      await res.body?.cancel()
      throw new ReferenceError(httpError(res.status, reference))
    }
    const bytes = Buffer.from(await res.arrayBuffer())
    if (bytes.length > MAX_REFERENCE_BYTES) throw new ReferenceError(httpError(403, reference))
    return bytes
  }
  throw new ReferenceError(httpError(403, reference))
}

/** Fully decodes the bytes (a header alone is not enough: truncated files must fail) and returns the upright size. */
async function imageSize(bytes: Buffer): Promise<PixelSize> {
  const image = sharp(bytes)
  const meta = await image.metadata()
  await image.raw().toBuffer()
  const rotated = (meta.orientation ?? 1) >= 5
  return rotated ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height }
}

async function loadOne(reference: string, options: ReferenceLoaderOptions): Promise<PixelSize> {
  const dataUri = DATA_URI.exec(reference)
  let bytes: Buffer
  if (dataUri) {
    options.stats.referencesFetched.dataUri += 1
    bytes = Buffer.from(dataUri[1]!, 'base64')
  } else if (loopbackUrl(reference)) {
    options.stats.referencesFetched.url += 1
    bytes = await fetchLoopback(reference, options)
  } else {
    throw new ReferenceError(httpError(403, shown(reference)))
  }
  try {
    return await imageSize(bytes)
  } catch {
    throw new ReferenceError(httpError(403, shown(reference)))
  }
}

/** Loads the references in order, stopping at the first that fails; never rejects. */
export async function loadReferences(references: string[], options: ReferenceLoaderOptions): Promise<ReferenceOutcome> {
  let first: PixelSize | null = null
  for (const reference of references) {
    try {
      const size = await loadOne(reference, options)
      first ??= size
    } catch (error) {
      options.stats.referenceFailures += 1
      return { ok: false, error: error instanceof ReferenceError ? error.message : httpError(403, shown(reference)) }
    }
  }
  return { ok: true, first }
}
