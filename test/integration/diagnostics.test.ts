// Diagnostics: the log's tail and the copied report, through the request handlers. The canary: a key saved
// through the real secret store (the real gnome-keyring under scripts/with-keyring.sh, and session-only
// everywhere), sent to an "Oxen" that echoes the request's key back in its errors, must appear in no log line and
// nowhere in the report or the tail, while the report still says what it must (versions, counts, the key's state).
import { randomBytes } from 'node:crypto'
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { release } from 'node:os'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createAppServices, type AppServices, type LibraryPlatform } from '../../electron/services/app'
import { createDiagnostics, describeAge, readLogTail, type DiagnosticsDeps } from '../../electron/services/diagnostics'
import { createLogger, logFilePath, type Logger } from '../../electron/services/log'
import type { FetchLike } from '../../electron/services/oxen/client'
import { loadKeytar, type KeytarLike } from '../../electron/services/secrets'
import { createNodeSettingsBacking } from '../../electron/services/settings'
import type { Settings } from '../../shared/domain'
import { mediaUrl } from '../fixtures/library-fixture'
import { makeImage, writeTemp } from '../fixtures/library-images'

const haveKeyring = process.env.ATELIER_TEST_KEYRING === '1'

let dataDir: string
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'atelier-diag-'))
})
afterEach(() => rmSync(dataDir, { recursive: true, force: true }))

const logsDir = () => join(dataDir, 'logs')
const logText = () =>
  readdirSync(logsDir())
    .map((name) => readFileSync(join(logsDir(), name), 'utf8'))
    .join('')

/** The canary: unique, and with characters that JSON and URLs escape, so every encoded form is exercised. */
function canary() {
  const core = randomBytes(12).toString('hex')
  return { core, key: `canary-${core}"q\\b/+=` }
}

/**
 * An Oxen that refuses everything and echoes what it was sent: the Authorization header, the raw key and the URL
 * with the key as a query parameter, in the error's message (as a careless upstream or proxy might).
 */
function echoingOxen(): FetchLike {
  return async (url, init) => {
    const auth = new Headers(init?.headers).get('authorization') ?? ''
    const key = auth.replace(/^Bearer /, '')
    const message = `${key} is not allowed here. Request: {"authorization": "${auth}", "url": "${url}?api_key=${encodeURIComponent(key)}"}`
    return new Response(JSON.stringify({ error: { message } }), { status: 400, headers: { 'content-type': 'application/json' } })
  }
}

const VERSIONS = { app: '9.8.7-test', electron: '41.0.1', chrome: '146.0.7000.1' }

function services(log: Logger, opts: { keytar: KeytarLike | Error; keychainService?: string; platform?: LibraryPlatform }): AppServices {
  return createAppServices({
    dataDir,
    keytar: opts.keytar,
    ...(opts.keychainService ? { keychainService: opts.keychainService } : {}),
    settingsBacking: createNodeSettingsBacking(dataDir),
    mediaUrl,
    emit: () => {},
    log,
    fetch: echoingOxen(),
    timing: { retryBaseMs: 1 },
    versions: VERSIONS,
    ...(opts.platform ? { platform: opts.platform } : {}),
  })
}

async function call<T>(app: AppServices, name: string, input?: unknown): Promise<T> {
  const result = await app.dispatch(name, input)
  if (!result.ok) throw new Error(`${name} failed: ${result.error.message}`)
  return result.value as T
}

describe.each([
  { mode: 'keychain', skip: !haveKeyring },
  { mode: 'session-only', skip: false },
])('the canary key and diagnostics ($mode)', ({ mode, skip }) => {
  const service = `Atelier-test-${randomBytes(6).toString('hex')}`
  /** session-only: a keychain that failed to load, so the store keeps the key in memory. */
  let keytar: KeytarLike | Error = new Error('no keychain in this test')
  beforeAll(async () => {
    if (mode === 'keychain' && !skip) keytar = await loadKeytar()
    if (mode === 'keychain' && keytar instanceof Error) throw keytar
  })
  afterAll(async () => {
    if (!(keytar instanceof Error)) await keytar.deletePassword(service, 'oxen-api-key')
  })

  it.skipIf(skip)('appears in no log line, nor in the report or the tail; the report says versions, counts and the key state', async () => {
    const { core, key } = canary()
    const log = createLogger({ dataDir, level: 'debug' })
    const app = services(log, { keytar, keychainService: service })
    try {
      await call(app, 'refreshModels') // the refresh at start (no key yet) is over, so the next one sends the key
      expect((await call<{ state: string }>(app, 'setApiKey', { key })).state).toBe(mode === 'keychain' ? 'stored' : 'session-only')

      // Activity that logs, with the key in each request Oxen echoes back.
      const models = await call<{ error?: string; models: unknown[] }>(app, 'refreshModels')
      expect(models.models).toEqual([])
      const balance = await app.dispatch('getCreditBalance', undefined)
      expect(balance).toMatchObject({ ok: false })
      const keyTest = await call<{ ok: boolean; message: string }>(app, 'testApiKey')
      expect(keyTest).toMatchObject({ ok: false })
      // Nor does it go back to the renderer: Oxen's echo in an answer, or an error, crosses IPC redacted.
      expect(models.error).toContain('[redacted]')
      for (const answer of [models, balance, keyTest]) expect(JSON.stringify(answer)).not.toContain(core)
      log.child('oxen').error('request failed', { request: { url: `https://hub.test/api?api_key=${key}`, headers: { Authorization: `Bearer ${key}` } }, echoed: key })

      // Something in the library to count: two images, one in the trash, one board.
      const recipe = (index: number) => ({ jobId: 'j', generationId: `g${index}`, index, count: 2, modelId: 'm', prompt: 'a kite', params: {}, references: [] })
      const kept = await app.library.saveImage({ recipe: recipe(0), tempPath: writeTemp(app.library, await makeImage('png', 32, 32)) })
      const trashed = await app.library.saveImage({ recipe: recipe(1), tempPath: writeTemp(app.library, await makeImage('png', 32, 32)) })
      await call(app, 'trashImages', { imageIds: [trashed.id] })
      const board = await call<{ id: string }>(app, 'createBoard', { name: 'Kites' })
      await call(app, 'addToBoard', { boardId: board.id, imageIds: [kept.id] })

      const { text } = await call<{ text: string }>(app, 'getDiagnostics')
      const { lines, location } = await call<{ lines: string[]; location: string }>(app, 'getLogTail', { lines: 50 })

      // The key reached the logger (the refresh failure quotes Oxen's echo), and left it only redacted.
      const written = logText()
      const refreshLine = written
        .split('\n')
        .filter((l) => l.includes('the model list could not be refreshed'))
        .at(-1)
      expect(refreshLine).toContain('[redacted] is not allowed here')
      expect(written).not.toContain(core)
      for (const line of lines) expect(line).not.toContain(core)
      expect(text).not.toContain(core)

      // What the report says.
      expect(text).toContain(`Atelier ${VERSIONS.app} (browser preview)`)
      expect(text).toContain(`Electron ${VERSIONS.electron} · Chromium ${VERSIONS.chrome} · Node ${process.versions.node}`)
      expect(text).toContain(release())
      expect(text).toMatch(/^ {2}images: 1$/m)
      expect(text).toMatch(/^ {2}in the trash: 1$/m)
      expect(text).toMatch(/^ {2}boards: 1$/m)
      expect(text).toMatch(/^ {2}jobs: 0 \(0 running\)$/m)
      expect(text).toContain(mode === 'keychain' ? 'API key\n  stored in the system keychain' : 'API key\n  session-only')
      expect(text).toMatch(/^ {2}models: 0$/m)
      expect(text).toMatch(/^ {2}fetched: never$/m)
      expect(text).toMatch(/^ {2}last refresh failed: .*\[redacted\] is not allowed here/m) // Oxen's echo, scrubbed on the way out
      expect(text).toMatch(/^ {2}oxenBaseUrl: https:\/\/hub\.oxen\.ai\/$/m)
      expect(text).toMatch(/^ {2}maxConcurrentJobs: \d$/m)
      const logSection = text.slice(text.indexOf('Log (the last 200 lines'))
      expect(logSection).toContain('the model list could not be refreshed')
      expect(logSection).toContain('"message":"request failed"')

      // The tail: the newest lines, oldest first, each one as the log file has it.
      expect(location).toBe(logFilePath(dataDir))
      expect(lines.some((l) => l.includes('the model list could not be refreshed'))).toBe(true)
      expect(lines.some((l) => l.includes('"message":"request failed"'))).toBe(true)
      const fileLines = readFileSync(logFilePath(dataDir), 'utf8').trimEnd().split('\n')
      expect(lines).toEqual(fileLines.slice(-lines.length))
    } finally {
      await app.dispose()
    }
  })
})

describe('the log tail', () => {
  const file = () => logFilePath(dataDir)
  const write = (name: string, lines: string[]) => {
    mkdirSync(logsDir(), { recursive: true })
    writeFileSync(join(logsDir(), name), lines.map((l) => l + '\n').join(''))
  }
  const numbered = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `line ${from + i}`)

  it('is [] before anything was logged, and the last lines, oldest first, across rotated files', async () => {
    expect(await readLogTail(file(), 10)).toEqual([])
    write('atelier.log.2', numbered(0, 5))
    write('atelier.log.1', numbered(5, 10))
    write('atelier.log', numbered(10, 13))
    expect(await readLogTail(file(), 2)).toEqual(['line 11', 'line 12'])
    expect(await readLogTail(file(), 7)).toEqual(numbered(6, 13))
    expect(await readLogTail(file(), 100)).toEqual(numbered(0, 13))
  })

  it('reads back only from the end of a long file, never a partial first line; an unfinished last line as it is', async () => {
    const many = numbered(0, 50_000).map((l) => `${l} ${'x'.repeat(40)}`) // ~2.5 MB: more than one read back
    write('atelier.log', many)
    expect(await readLogTail(file(), 3)).toEqual(many.slice(-3))
    expect(await readLogTail(file(), 20_000)).toEqual(many.slice(-20_000))
    appendFileSync(file(), '{"cut off by a crash') // no line end
    expect(await readLogTail(file(), 3)).toEqual([...many.slice(-2), '{"cut off by a crash'])
  })

  it('cuts a huge line and says how much was cut', async () => {
    write('atelier.log', ['short', 'y'.repeat(10_000)])
    const [short, long] = await readLogTail(file(), 2)
    expect(short).toBe('short')
    expect(long).toBe(`${'y'.repeat(4000)}… (6000 more characters)`)
  })

  it('answers only a sensible number of lines, and scrubs what an older line might hold', async () => {
    const log = createLogger({ dataDir })
    const app = services(log, { keytar: new Error('no keychain in this test') })
    try {
      await call(app, 'refreshModels') // the refresh at start has logged its line
      expect(await app.dispatch('getLogTail', { lines: 0 })).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
      expect(await app.dispatch('getLogTail', { lines: 5000 })).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
      expect(await app.dispatch('getLogTail', {})).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
      // A line written by something that did not scrub it (an older version, a hand edit): scrubbed on the way out.
      appendFileSync(logFilePath(dataDir), '{"message":"GET /api?api_key=older-secret-1 Authorization: Bearer older-secret-2"}\n')
      const { lines } = await call<{ lines: string[] }>(app, 'getLogTail', { lines: 1 })
      expect(lines).toEqual(['{"message":"GET /api?api_key=[redacted] Authorization: [redacted]"}'])
      expect((await call<{ text: string }>(app, 'getDiagnostics')).text).not.toMatch(/older-secret/)
    } finally {
      await app.dispose()
    }
  })
})

describe('the report', () => {
  const settings: Settings = {
    oxenBaseUrl: 'https://someone:hunter2-password@hub.example/prefix?api_key=query-secret#frag',
    modelId: 'm',
    theme: 'dark',
    maxConcurrentJobs: 2,
    maxConcurrentDownloads: 4,
    referenceSupply: 'upload',
  }
  const deps = (over: Partial<DiagnosticsDeps> = {}): DiagnosticsDeps => ({
    versions: { app: '1.2.3' },
    logFile: logFilePath(dataDir),
    settings: () => settings,
    keyState: async () => ({ state: 'absent', detail: 'Your system keychain is not available (no Secret Service is running).' }),
    library: async () => ({ images: 10_000, trash: 2, boards: 3 }),
    jobs: () => ({ total: 4, running: 1 }),
    catalogue: async () => ({ models: [], fetchedAt: Date.parse('2026-01-01T09:00:00Z') }),
    scrub: (text) => text,
    desktop: true,
    now: () => Date.parse('2026-01-01T12:05:00Z'),
    ...over,
  })

  it('leaves credentials out of the server address, and versions out that it was not given', async () => {
    const text = await createDiagnostics(deps()).report()
    expect(text).toContain('oxenBaseUrl: https://hub.example/prefix (credentials or query left out)')
    expect(text).not.toMatch(/someone|hunter2|query-secret|frag/)
    expect(text).toContain('Atelier 1.2.3 (desktop app)')
    expect(text).not.toMatch(/Electron|Chromium/) // not given: not running in Electron
    expect(text).toContain(`  Node ${process.versions.node}`)
    expect(text).toContain('API key\n  absent (no key saved)\n  Your system keychain is not available (no Secret Service is running).\n')
    expect(text).toContain('  fetched: 2026-01-01T09:00:00.000Z (3 h 5 min ago)')
    expect(text).toContain('  images: 10000\n  in the trash: 2\n  boards: 3\n  jobs: 4 (1 running)')
    expect(text).toContain('Log (the last 200 lines at most, oldest first)\n  (no lines yet)')
  })

  it('still comes out when a part cannot be read, and says which', async () => {
    const text = await createDiagnostics(
      deps({
        library: async () => {
          throw new Error('the library worker is gone')
        },
      }),
    ).report()
    expect(text).toContain('Library\n  (could not be read: the library worker is gone)\n  jobs: 4 (1 running)')
    expect(text).toContain('Model catalogue\n  models: 0')
  })

  it('passes everything through the scrub it is given', async () => {
    const text = await createDiagnostics(deps({ scrub: (t) => t.replaceAll('dark', '[gone]') })).report()
    expect(text).toContain('theme: [gone]')
    expect(text).not.toContain('dark')
  })

  it('tells ages plainly', () => {
    expect([40_000, 5 * 60_000, 3 * 3600_000, 3 * 3600_000 + 5 * 60_000, 50 * 3600_000].map(describeAge)).toEqual(['40 s', '5 min', '3 h', '3 h 5 min', '2 days'])
  })
})

describe('showing the log file', () => {
  it('needs the desktop app; there it reveals the log file itself', async () => {
    const log = createLogger({ dataDir })
    const revealed: string[] = []
    const platform: LibraryPlatform = {
      startDrag: () => {},
      copyImage: () => {},
      reveal: (file) => revealed.push(file),
      exportTarget: async () => null,
    }
    const browser = services(log, { keytar: new Error('no keychain in this test') })
    try {
      expect(await browser.dispatch('revealLogs', undefined)).toEqual({
        ok: false,
        error: { code: 'invalid-input', message: expect.stringMatching(/works in the Atelier desktop app/) },
      })
    } finally {
      await browser.dispose()
    }
    const desktop = services(log, { keytar: new Error('no keychain in this test'), platform })
    try {
      log.info('something to show')
      expect(await desktop.dispatch('revealLogs', undefined)).toEqual({ ok: true, value: { count: 1 } })
      expect(revealed).toEqual([logFilePath(dataDir)])
    } finally {
      await desktop.dispose()
    }
  })
})
