// The logger: a canary API key set through the real secret store (the real gnome-keyring under
// scripts/with-keyring.sh, and the session-only mode everywhere) is logged every way a careless caller
// could, and must appear in none of the files, rotated ones included. Also: rotation and levels.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { AppFailure } from '../../electron/services/errors'
import { createLogger, type Logger } from '../../electron/services/log'
import { createSecretStore, loadKeytar, type KeytarLike } from '../../electron/services/secrets'

const haveKeyring = process.env.ATELIER_TEST_KEYRING === '1'
const service = `Atelier-test-${randomBytes(6).toString('hex')}`
const account = 'oxen-api-key'

let dataDir: string
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'atelier-log-'))
})
afterEach(() => rmSync(dataDir, { recursive: true, force: true }))

const logsDir = () => join(dataDir, 'logs')
/** Every log file, oldest first: atelier.log.2, atelier.log.1, atelier.log. */
function logFiles(): string[] {
  const names = readdirSync(logsDir()).filter((n) => /^atelier\.log(\.\d+)?$/.test(n))
  const age = (n: string) => Number(n.split('.')[2] ?? 0)
  return names.sort((a, b) => age(b) - age(a)).map((n) => join(logsDir(), n))
}
const allText = () => logFiles().map((f) => readFileSync(f, 'utf8')).join('')
const lines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)

/** Logs `key` in every place a careless caller might put it. */
function logEverywhere(log: Logger, key: string) {
  const scoped = log.child('jobs')
  log.info(`saved the key ${key}`)
  log.warn('fields', { apiKey: key, note: key, header: `Bearer ${key}` })
  scoped.error('nested', { request: { headers: { Authorization: `Bearer ${key}` }, body: [{ deep: { text: `k=${key}` } }] } })
  const failure = new AppFailure('unauthorized', `Oxen refused ${key}`, { cause: new Error(`upstream said ${key}`) })
  scoped.error('request failed', { error: failure })
  log.error(`thrown: ${String(new Error(key))}`, { error: new TypeError(`bad ${key}`) })
  const url = new URL('https://hub.oxen.ai/api/ai/queue')
  url.searchParams.set('note', key)
  log.info('fetching', { url, raw: `https://hub.oxen.ai/api?key=${key}&page=1`, href: url.href })
  log.info('as JSON text', { body: JSON.stringify({ token: key }) })
}

/** The canary: unique, and with characters that JSON and URLs escape, so every encoded form is exercised. */
function canary() {
  const core = randomBytes(12).toString('hex')
  return { core, key: `canary-${core}"q\\b/+=` }
}

describe.each([
  { mode: 'keychain', skip: !haveKeyring },
  { mode: 'session-only', skip: false },
])('the canary key, set through the secret store ($mode)', ({ mode, skip }) => {
  /** session-only: a keychain that failed to load, so the store keeps the key in memory. */
  let keytar: KeytarLike | Error = new Error('no keychain in this test')
  beforeAll(async () => {
    if (mode === 'keychain' && !skip) keytar = await loadKeytar()
    if (mode === 'keychain' && keytar instanceof Error) throw keytar
  })
  afterAll(async () => {
    if (!(keytar instanceof Error)) await keytar.deletePassword(service, account)
  })

  it.skipIf(skip)('appears in no log file, rotated ones included', async () => {
    const { core, key } = canary()
    const log = createLogger({ dataDir, maxBytes: 4096, keep: 2 })
    const store = createSecretStore({ keytar, service, account, log: log.child('secrets') })
    expect((await store.setKey(key)).state).toBe(mode === 'keychain' ? 'stored' : 'session-only')
    for (let round = 0; round < 10; round++) logEverywhere(log, key)

    expect(existsSync(join(logsDir(), 'atelier.log.2'))).toBe(true) // the canary lines did rotate
    const text = allText()
    expect(text).not.toContain(core)
    const written = lines(text)
    expect(written.length).toBeGreaterThan(20) // scrubbed, not dropped
    expect(written.filter((l) => JSON.stringify(l).includes('[redacted]')).length).toBeGreaterThan(20)
    const failed = written.find((l) => l.message === 'request failed')!
    expect(failed).toMatchObject({ scope: 'jobs', level: 'error', error: { name: 'AppFailure', code: 'unauthorized' } })
    expect((failed.error as { stack: string }).stack).toMatch(/Oxen refused \[redacted\]/)
  })

  it.skipIf(mode !== 'keychain' || skip)('is learnt from a key read back from the keychain (a restart)', async () => {
    const { core, key } = canary()
    const first = createSecretStore({ keytar, service, account })
    await first.setKey(key)
    // A new run: a fresh logger whose store only reads the key.
    const log = createLogger({ dataDir })
    const store = createSecretStore({ keytar, service, account, log })
    expect(await store.getKey()).toBe(key)
    logEverywhere(log, key)
    expect(allText()).not.toContain(core)
  })
})

describe('logger', () => {
  it('scrubs credential fields, Bearer values and key-like query parameters it was never told about', () => {
    const seen: string[] = []
    const log = createLogger({ echo: (line) => seen.push(line) })
    log.info('Authorization: Bearer unlisted-1', { key: 'unlisted-2', api_key: 'unlisted-3', password: 'unlisted-4' })
    log.info('GET https://x.test/a?api_key=unlisted-5&x=1', { token: { nested: 'unlisted-6' }, header: 'Bearer unlisted-7' })
    const out = seen.join('\n')
    expect(out).not.toContain('unlisted')
    expect(out).toContain('x=1')
  })

  it('rotates by size and keeps only `keep` older files, oldest lines dropped', () => {
    const log = createLogger({ dataDir, maxBytes: 1000, keep: 2 })
    for (let i = 0; i < 200; i++) log.info('line', { i, pad: 'x'.repeat(60) })
    expect(readdirSync(logsDir()).sort()).toEqual(['atelier.log', 'atelier.log.1', 'atelier.log.2'])
    for (const file of logFiles()) expect(statSync(file).size).toBeLessThanOrEqual(1000)
    const order = lines(allText()).map((l) => l.i as number)
    expect(order.at(-1)).toBe(199)
    expect(order).toEqual([...order].sort((a, b) => a - b)) // .2, .1, current: oldest to newest
    expect(order[0]).toBeGreaterThan(150) // the rest went with the files past `keep`
  })

  it('carries on in an existing file and rotates it when full', () => {
    createLogger({ dataDir }).info('first run')
    const log = createLogger({ dataDir, maxBytes: 200 })
    log.info('second run')
    expect(lines(allText()).map((l) => l.message)).toEqual(['first run', 'second run'])
    log.info('third', { pad: 'x'.repeat(150) })
    expect(lines(readFileSync(join(logsDir(), 'atelier.log'), 'utf8')).map((l) => l.message)).toEqual(['third'])
  })

  it('drops lines below its level (info by default)', () => {
    const seen: string[] = []
    const echo = (line: string) => seen.push(JSON.parse(line).level as string)
    const all = (log: Logger) => (log.debug('d'), log.info('i'), log.warn('w'), log.error('e'))
    all(createLogger({ echo }))
    all(createLogger({ echo, level: 'warn' }))
    all(createLogger({ echo, level: 'debug' }).child('x'))
    expect(seen).toEqual(['info', 'warn', 'error', 'warn', 'error', 'debug', 'info', 'warn', 'error'])
  })

  it('never throws: odd fields, a field named like the head, an unwritable folder, a throwing echo', () => {
    const seen: string[] = []
    const log = createLogger({ echo: (line) => seen.push(line) })
    const cyclic: Record<string, unknown> = { n: 10n }
    cyclic.self = cyclic
    const looped = new Error('looped')
    looped.cause = looped
    log.info('odd', { cyclic, looped, level: 'debug', message: 'spoofed' })
    expect(JSON.parse(seen[0]!)).toMatchObject({ level: 'info', message: 'odd', cyclic: { n: '10', self: '[circular]' }, looped: { cause: '[circular]' } })

    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    try {
      writeFileSync(join(dataDir, 'logs'), 'a file where the logs folder should be')
      const broken = createLogger({ dataDir, echo: () => { throw new Error('echo broke') } })
      expect(() => {
        broken.error('still fine')
        broken.error('and again')
      }).not.toThrow()
      expect(stderr).toHaveBeenCalledTimes(1) // said once, not per line
    } finally {
      stderr.mockRestore()
    }
  })
})
