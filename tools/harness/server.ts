// The browser harness: the real main-process services in plain Node, the built renderer served to a
// browser, and the IPC contract carried over a loopback WebSocket. Same services as the Electron shell.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { readFile } from 'node:fs/promises'
import { extname, join, relative, resolve } from 'node:path'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { WebSocketServer, type WebSocket } from 'ws'
import type { EventName, EventPayload } from '../../shared/contract'
import type { Settings } from '../../shared/domain'
import type { CrashPoint } from '../../electron/services/checkpoint'
import { createAppServices, type AppServices } from '../../electron/services/app'
import { pathInside } from '../../electron/services/folder-paths'
import { createLogger } from '../../electron/services/log'
import { loadKeytar } from '../../electron/services/secrets'
import { createNodeSettingsBacking } from '../../electron/services/settings'
import { HARNESS_BRIDGE_PATH, HARNESS_MEDIA_PREFIX, HARNESS_WS_PATH, type ClientMessage, type ServerMessage } from './protocol'

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)))

export interface HarnessOptions {
  port?: number
  dataDir: string
  oxenUrl?: string
  keychainService?: string
  rendererDir?: string
  /** Faster polling for tests. */
  timing?: { pollIntervalMs?: number; safetyPollMs?: number; retryBaseMs?: number }
  verbose?: boolean
  /** Crash tests: the process kills itself (SIGKILL) the first time a generation reaches this point. */
  crashAt?: CrashPoint
}

export interface Harness {
  url: string
  services: AppServices
  close(): Promise<void>
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
}

async function bundleBridge(): Promise<string> {
  const result = await build({
    entryPoints: [join(ROOT, 'tools/harness/browser/bridge.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    minify: true,
  })
  return result.outputFiles[0]!.text
}

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const rendererDir = resolve(opts.rendererDir ?? join(ROOT, 'out/renderer'))
  const indexHtml = await readFile(join(rendererDir, 'index.html'), 'utf8').catch(() => {
    throw new Error(`No built renderer in ${rendererDir}. Run "npm run build" first.`)
  })
  // A classic script runs before the renderer's deferred module script, so window.atelier is ready in time.
  const page = indexHtml.replace('<head>', `<head>\n    <script src="${HARNESS_BRIDGE_PATH}"></script>`)
  const bridgeJs = await bundleBridge()

  const sockets = new Set<WebSocket>()
  const broadcast = <N extends EventName>(name: N, payload: EventPayload<N>) => {
    const text = JSON.stringify({ kind: 'event', name, payload } satisfies ServerMessage)
    for (const socket of sockets) if (socket.readyState === socket.OPEN) socket.send(text)
  }
  const log = createLogger({
    dataDir: opts.dataDir,
    ...(opts.verbose ? { level: 'debug' as const, echo: (line: string) => process.stderr.write(line + '\n') } : {}),
  })
  const overrides: Partial<Settings> = opts.oxenUrl ? { oxenBaseUrl: opts.oxenUrl } : {}
  const services = createAppServices({
    dataDir: opts.dataDir,
    keytar: await loadKeytar(),
    ...(opts.keychainService ? { keychainService: opts.keychainService } : {}),
    settingsBacking: createNodeSettingsBacking(opts.dataDir),
    settingsOverrides: overrides,
    mediaUrl: (id, variant) => `${HARNESS_MEDIA_PREFIX}/${id}/${variant}`,
    emit: broadcast,
    log,
    // The version as built; no Electron or Chromium here (the page's browser is whatever opened it).
    versions: { app: (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version },
    ...(opts.timing ? { timing: opts.timing } : {}),
    ...(opts.crashAt ? { checkpoint: (point: CrashPoint) => point === opts.crashAt && process.kill(process.pid, 'SIGKILL') } : {}),
  })

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((error) => {
      log.error('harness request failed', { path: req.url, error })
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
      res.end('Internal error')
    })
  })

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://harness.invalid')
    const path = url.pathname
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end()
      return
    }
    if (path === '/' || path === '/index.html') return send(res, 200, CONTENT_TYPES['.html']!, page)
    if (path === HARNESS_BRIDGE_PATH) return send(res, 200, CONTENT_TYPES['.js']!, bridgeJs)
    if (path.startsWith(HARNESS_MEDIA_PREFIX + '/')) {
      // The same id-based handler as Electron's atelier://media/ protocol; the raw path keeps encodings intact.
      const rawPath = (req.url ?? '').split('?')[0]!.slice(HARNESS_MEDIA_PREFIX.length)
      const response = await services.serveMedia(rawPath)
      res.writeHead(response.status, Object.fromEntries(response.headers))
      if (response.body && req.method === 'GET') Readable.fromWeb(response.body as WebReadableStream).pipe(res)
      else res.end()
      return
    }
    const file = pathInside(rendererDir, '.' + decodeURIComponent(path))
    if (!file) return send(res, 404, 'text/plain', 'Not found')
    try {
      const body = await readFile(file)
      // Built assets carry a content hash in their names, so a reload (like Electron's next launch) reuses them.
      const cache = relative(rendererDir, file).startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-store'
      send(res, 200, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', body, cache)
    } catch {
      send(res, 404, 'text/plain', 'Not found') // no such file (or a folder): what a static server answers
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 })
  server.on('upgrade', (req, socket, head) => {
    // The harness's version of "ignore senders that are not our window": only pages served by this origin.
    const own = `http://${req.headers.host}`
    if (new URL(req.url ?? '/', own).pathname !== HARNESS_WS_PATH || req.headers.origin !== own) {
      log.warn('refused a WebSocket from another origin', { origin: String(req.headers.origin) })
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws)
      ws.on('close', () => sockets.delete(ws))
      ws.on('message', (data) => {
        let message: ClientMessage
        try {
          message = JSON.parse(String(data)) as ClientMessage
        } catch (error) {
          log.warn('ignored a WebSocket message that is not JSON', { error })
          return
        }
        if (message?.kind !== 'request' || typeof message.id !== 'number') return
        void services.dispatch(String(message.name), message.input).then((result) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ kind: 'response', id: message.id, result } satisfies ServerMessage))
        })
      })
    })
  })

  await new Promise<void>((resolvePromise) => server.listen(opts.port ?? 0, '127.0.0.1', resolvePromise))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}/`,
    services,
    async close() {
      for (const socket of sockets) socket.terminate()
      wss.close()
      const closed = new Promise<void>((r) => server.close(() => r()))
      server.closeAllConnections()
      await closed
      await services.dispose()
    },
  }
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, cache = 'no-store'): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': cache,
    'x-content-type-options': 'nosniff',
  })
  res.end(body)
}
