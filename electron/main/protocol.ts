// atelier://app/… serves the built renderer; atelier://media/<id>/<variant> serves library images by id
// through the same handler the harness uses over HTTP. Never file://.
import { protocol } from 'electron'
import { readFile } from 'node:fs/promises'
import { extname, join, resolve } from 'node:path'
import { pathInside } from '../services/folder-paths'

export const SCHEME = 'atelier'
export const APP_ORIGIN = `${SCHEME}://app`

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
}

/** Must run before the app is ready. No bypassCSP: the page's CSP names the scheme. */
export function registerSchemePrivileges(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ])
}

export function handleScheme(rendererDir: string, serveMedia: (path: string) => Promise<Response>): void {
  const root = resolve(rendererDir)
  protocol.handle(SCHEME, async (request) => {
    const url = new URL(request.url)
    if (url.host === 'media') {
      const rawPath = request.url.slice(`${SCHEME}://media`.length).split('?')[0] ?? ''
      return serveMedia(rawPath)
    }
    if (url.host !== 'app') return new Response('Not found', { status: 404 })
    const file = pathInside(root, '.' + decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname))
    if (!file) return new Response('Not found', { status: 404 })
    try {
      const body = await readFile(file)
      return new Response(body, { headers: { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' } })
    } catch {
      return new Response('Not found', { status: 404 })
    }
  })
}

export const rendererDirFor = (appPath: string) => join(appPath, 'out/renderer')
