// The request body as journaled. It is the exact body sent, except that reference images inlined as data URIs
// (megabytes each) are kept as tokens naming the image by content hash, and turned back into the same data URI
// (the same stored bytes) when the body is sent. Uploaded references stay as the URLs that were sent.

const TOKEN = 'atelier-reference:'

/** Replaces each data URI `urls[i]` in `body` with the token for `hashes[i]`. */
export function journalable(body: Record<string, unknown>, hashes: string[], urls: string[]): Record<string, unknown> {
  const byUrl = new Map<string, string>()
  urls.forEach((url, i) => {
    if (url.startsWith('data:') && hashes[i]) byUrl.set(url, TOKEN + hashes[i])
  })
  if (byUrl.size === 0) return body
  return map(body, (s) => byUrl.get(s) ?? s) as Record<string, unknown>
}

/** The body to send: tokens replaced by data URIs made from the stored reference images. */
export async function sendable(body: Record<string, unknown>, dataUris: (hashes: string[]) => Promise<string[]>): Promise<Record<string, unknown>> {
  const hashes = new Set<string>()
  map(body, (s) => (s.startsWith(TOKEN) && hashes.add(s.slice(TOKEN.length)), s))
  if (hashes.size === 0) return body
  const list = [...hashes]
  const uris = await dataUris(list)
  const byToken = new Map(list.map((hash, i) => [TOKEN + hash, uris[i]!]))
  return map(body, (s) => byToken.get(s) ?? s) as Record<string, unknown>
}

/** A copy of a JSON value with every string passed through `f`. */
function map(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value)
  if (Array.isArray(value)) return value.map((v) => map(v, f))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, map(v, f)]))
  return value
}
