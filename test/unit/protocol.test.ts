// The atelier:// protocol's request → response logic (electron/main/protocol.ts), in plain Node: the built renderer
// on `app`, library images by id on `media`, and everything else — traversal, unknown hosts and ids, odd methods —
// refused without touching a file outside the renderer folder.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProtocolHandler, headerPolicyOf } from '../../electron/main/protocol'
import { openLibrary, type LibraryStore } from '../../electron/services/library/library'
import { serveMedia } from '../../electron/services/library/media'
import type { LibraryImage } from '../../shared/domain'
import { makeImage, testRecipe, writeTemp } from '../fixtures/library-images'

const SECRET = 'outside the renderer folder'
const PAGE = `<!doctype html><head><meta charset="UTF-8" /><meta
  http-equiv="Content-Security-Policy"
  content="default-src 'self'; style-src 'self' 'sha256-abc='"
/></head><body><script type="module" src="./assets/index.js"></script></body>`

let root: string
let rendererDir: string
let mediaPaths: string[]
let handle: (request: Request) => Promise<Response>

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'atelier-protocol-'))
  rendererDir = join(root, 'out/renderer')
  mkdirSync(join(rendererDir, 'assets'), { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), PAGE)
  writeFileSync(join(rendererDir, 'assets/index.js'), 'console.log(1)')
  writeFileSync(join(rendererDir, 'assets/index.css'), 'body{}')
  writeFileSync(join(rendererDir, 'assets/inter.woff2'), 'font')
  writeFileSync(join(rendererDir, 'bare.html'), '<!doctype html><p>no policy</p>')
  writeFileSync(join(root, 'out/secret.txt'), SECRET)
  writeFileSync(join(root, 'secret.txt'), SECRET)
  mediaPaths = []
  handle = createProtocolHandler(rendererDir, async (path) => {
    mediaPaths.push(path)
    return new Response('media')
  })
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

const get = (url: string, init?: RequestInit) => handle(new Request(url, init))
/** A request as Electron could hand it over, without undici's own checks (it refuses URLs with credentials). */
const raw = (url: string) => handle({ url, method: 'GET' } as Request)

describe('atelier://app', () => {
  it('serves the page at / and /index.html with its CSP as a header (plus frame-ancestors), never sniffed', async () => {
    for (const url of ['atelier://app/', 'atelier://app/index.html', 'atelier://app/index.html?x=1#y']) {
      const response = await get(url)
      expect(response.status, url).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(response.headers.get('content-security-policy')).toBe(`default-src 'self'; style-src 'self' 'sha256-abc='; frame-ancestors 'none'`)
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(await response.text()).toBe(PAGE)
    }
  })

  it('serves scripts, styles and fonts with their types', async () => {
    expect((await get('atelier://app/assets/index.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect((await get('atelier://app/assets/index.css')).headers.get('content-type')).toBe('text/css; charset=utf-8')
    expect((await get('atelier://app/assets/inter.woff2')).headers.get('content-type')).toBe('font/woff2')
  })

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await get('atelier://app/index.html', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    expect((await get('atelier://app/index.html', { method: 'POST', body: 'x' })).status).toBe(405)
  })

  it('never serves a page without a Content-Security-Policy', async () => {
    expect((await get('atelier://app/bare.html')).status).toBe(500)
  })

  it('refuses traversal out of the renderer folder, however it is spelt', async () => {
    const tricks = [
      'atelier://app/../secret.txt',
      'atelier://app/../../secret.txt',
      'atelier://app/%2e%2e/secret.txt',
      'atelier://app/%2e%2e/%2e%2e/secret.txt',
      'atelier://app/..%2fsecret.txt',
      'atelier://app/..%2f..%2fsecret.txt',
      'atelier://app/%2e%2e%2f%2e%2e%2fsecret.txt',
      'atelier://app/assets/..%2f..%2f..%2fsecret.txt',
      'atelier://app/..%5c..%5csecret.txt',
      `atelier://app/${encodeURIComponent(join(root, 'secret.txt'))}`,
      'atelier://app//etc/passwd',
      'atelier://app/%2fetc%2fpasswd',
      'atelier://app/index.html%00.png',
      'atelier://app/%E0%A4%A', // malformed escape
      'atelier://app/assets', // a folder
      'atelier://app/nothing-here.js',
    ]
    for (const url of tricks) {
      const response = await get(url)
      expect(response.status, url).toBe(404)
      expect(await response.text(), url).not.toContain(SECRET)
    }
  })

  it('refuses other hosts, credentials, ports and schemes', async () => {
    for (const url of [
      'atelier://evil/index.html',
      'atelier://app.evil/index.html',
      'atelier://evil.app/index.html',
      'atelier://user@app/index.html',
      'atelier://user:pw@app/index.html',
      'atelier://user@media/x/full',
      'atelier://app:8080/index.html',
      'https://app/index.html',
      'file:///index.html',
      'not a url',
    ]) {
      expect((await raw(url)).status, url).toBe(404)
    }
    expect(mediaPaths).toEqual([])
  })
})

describe('atelier://media', () => {
  it('hands the raw path (no query or fragment, nothing decoded or normalised) to the media handler', async () => {
    mediaPaths = []
    await get('atelier://media/0f8fad5b-d9cb-469f-a165-70867728950e/thumb?v=2#x')
    await get('atelier://media/ref/' + 'a'.repeat(64) + '/full')
    await get('atelier://media/..%2f..%2fsecret.txt/full')
    expect(mediaPaths).toEqual(['/0f8fad5b-d9cb-469f-a165-70867728950e/thumb', `/ref/${'a'.repeat(64)}/full`, '/..%2f..%2fsecret.txt/full'])
  })

  describe('over a real library', () => {
    let library: LibraryStore
    let image: LibraryImage
    let media: (request: Request) => Promise<Response>

    beforeAll(async () => {
      library = openLibrary({ dir: join(root, 'library'), mediaUrl: (id, v) => `atelier://media/${id}/${v}` })
      image = await library.saveImage({ recipe: testRecipe({ jobId: 'job-1', generationId: 'g0' }), tempPath: writeTemp(library, await makeImage('png', 40, 30)) })
      media = createProtocolHandler(rendererDir, (path) => serveMedia(library, path))
    })
    afterAll(() => library.close())

    it('serves a saved image and its thumbnail by id', async () => {
      const full = await media(new Request(`atelier://media/${image.id}/full`))
      expect(full.status).toBe(200)
      expect(full.headers.get('content-type')).toBe('image/png')
      const thumb = await media(new Request(`atelier://media/${image.id}/thumb`))
      expect(thumb.headers.get('content-type')).toBe('image/webp')
    })

    it('sees dot segments already resolved by the URL parser, as Chromium resolves them', async () => {
      // '/%2e%2e/<id>/full' is '/<id>/full' to WHATWG URL: the same image, never a step out of anything.
      expect((await media(new Request(`atelier://media/%2e%2e/${image.id}/full`))).status).toBe(200)
    })

    it('refuses unknown ids, unknown variants and paths that are not ids', async () => {
      for (const path of [
        '/0f8fad5b-d9cb-469f-a165-70867728950e/full', // well-formed, not in the library
        `/${image.id}/original`,
        `/${image.id}`,
        `/${image.id.toUpperCase()}/full`,
        `/ref/${'0'.repeat(64)}/full`,
        '/../secret.txt',
        '/..%2f..%2fsecret.txt/full',
        `/${encodeURIComponent(join(root, 'secret.txt'))}/full`,
        '/',
        '',
      ]) {
        const response = await media(new Request(`atelier://media${path}`))
        expect(response.status, path).toBe(404)
        expect(await response.text(), path).not.toContain(SECRET)
      }
    })
  })
})

describe('headerPolicyOf', () => {
  it('reads the meta policy whatever the quoting and attribute order, and keeps an explicit frame-ancestors', () => {
    expect(headerPolicyOf(`<meta content="default-src 'self';" http-equiv="content-security-policy">`)).toBe(`default-src 'self'; frame-ancestors 'none'`)
    expect(headerPolicyOf(`<meta http-equiv='Content-Security-Policy' content="script-src 'self'; frame-ancestors 'self'">`)).toBe(
      `script-src 'self'; frame-ancestors 'self'`,
    )
  })
  it('has no policy for a page without one, or with two', () => {
    expect(headerPolicyOf('<meta charset="utf-8"><meta name="viewport" content="width=device-width">')).toBeNull()
    const one = `<meta http-equiv="Content-Security-Policy" content="default-src 'self'">`
    expect(headerPolicyOf(one + one)).toBeNull()
  })
})
