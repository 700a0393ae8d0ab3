// atelier://app/… serves the built renderer; atelier://media/<id>/<variant> serves library images by id through
// the same handler the harness uses over HTTP. Never file://. Pure request → response logic (no `electron` import):
// wire.ts registers it with protocol.handle, and test/unit/protocol.test.ts runs it in plain Node.
import { readFile } from 'node:fs/promises'
import { extname, resolve } from 'node:path'
import { pathInside } from '../services/folder-paths'

export const SCHEME = 'atelier'
export const APP_HOST = 'app'
export const MEDIA_HOST = 'media'
export const APP_ORIGIN = `${SCHEME}://${APP_HOST}`

/** For protocol.registerSchemesAsPrivileged, before the app is ready. No bypassCSP: the page's CSP names the scheme. */
export const SCHEME_PRIVILEGES = {
  scheme: SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
} as const

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
}

function notFound(status = 404, text = 'Not found'): Response {
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' } })
}

/**
 * The policy of an HTML page as its response header: the page's own `<meta http-equiv="Content-Security-Policy">`
 * (renderer/index.html, the one place the policy is written and explained) plus `frame-ancestors 'none'`, which a
 * meta policy cannot carry. Null when the page has no policy.
 */
export function headerPolicyOf(html: string): string | null {
  let policy: string | null = null
  for (const [tag] of html.matchAll(/<meta\b[^>]*>/gi)) {
    const attribute = (name: string) => new RegExp(`\\s${name}\\s*=\\s*(["'])(.*?)\\1`, 'is').exec(tag)?.[2]
    if (attribute('http-equiv')?.toLowerCase() !== 'content-security-policy') continue
    if (policy !== null) return null // two policies: refuse rather than pick one
    policy = attribute('content')?.replace(/\s+/g, ' ').trim().replace(/;\s*$/, '') ?? null
  }
  if (!policy) return null
  return /(^|;)\s*frame-ancestors\b/.test(policy) ? policy : `${policy}; frame-ancestors 'none'`
}

/** The request → response function for the `atelier:` scheme. `serveMedia` gets the raw path after `atelier://media`. */
export function createProtocolHandler(rendererDir: string, serveMedia: (path: string) => Promise<Response>): (request: Request) => Promise<Response> {
  const root = resolve(rendererDir)
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return notFound(405, 'Method not allowed')
    let url: URL
    try {
      url = new URL(request.url)
    } catch {
      return notFound()
    }
    if (url.protocol !== `${SCHEME}:` || url.username || url.password || url.port) return notFound()
    if (url.host === MEDIA_HOST) {
      // The raw path, not URL's normalised one: media.ts matches it against strict patterns, so an encoded '..' or
      // '/' never turns into a different, valid-looking path on the way.
      const rawPath = request.url.slice(`${SCHEME}://${MEDIA_HOST}`.length).split(/[?#]/)[0] ?? ''
      return serveMedia(rawPath)
    }
    if (url.host !== APP_HOST) return notFound()
    let path: string
    try {
      path = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname)
    } catch {
      return notFound() // malformed %-escape
    }
    if (path.includes('\0')) return notFound()
    const file = pathInside(root, '.' + path)
    if (!file) return notFound()
    let body: Buffer
    try {
      body = await readFile(file)
    } catch {
      return notFound() // missing, or a folder
    }
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
    const headers: Record<string, string> = { 'content-type': type, 'x-content-type-options': 'nosniff' }
    if (type.startsWith('text/html')) {
      const policy = headerPolicyOf(body.toString('utf8'))
      if (!policy) return notFound(500, 'The page has no Content-Security-Policy') // never serve a page without one
      headers['content-security-policy'] = policy
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { headers })
  }
}

export const rendererDirFor = (appPath: string) => resolve(appPath, 'out/renderer')
