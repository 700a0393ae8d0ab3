// The API key store against the real gnome-keyring (run through scripts/with-keyring.sh), a real
// process with no reachable keychain, and fakes for the failure modes a real keyring cannot be made to show.
import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { SecretStatus } from '../../shared/domain'
import { createSecretStore, loadKeytar, type KeytarLike } from '../../electron/services/secrets'

const run = promisify(execFile)
const repoRoot = join(import.meta.dirname, '..', '..')
const haveKeyring = process.env.ATELIER_TEST_KEYRING === '1'
const HOW = 'run through scripts/with-keyring.sh / npm test'

function fakeKey() {
  return `test-key-${randomBytes(12).toString('hex')}`
}

/** A keytar whose calls behave like the given function; records the calls. */
function fakeKeytar(behave: (op: string) => Promise<unknown>): KeytarLike & { calls: string[] } {
  const calls: string[] = []
  const call = (op: string) => {
    calls.push(op)
    return behave(op)
  }
  return {
    calls,
    getPassword: () => call('get') as Promise<string | null>,
    setPassword: () => call('set') as Promise<void>,
    deletePassword: () => call('delete') as Promise<boolean>,
  }
}

/** Spawns the probe fixture and parses its one JSON line. */
function runProbe(env: NodeJS.ProcessEnv, command: string[] = [], timeoutMs = 20_000) {
  return new Promise<{ out: string; err: string; result: { status: SecretStatus; keyBack: boolean; elapsedMs: number } }>(
    (resolve, reject) => {
      const args = [...command, process.execPath, '--import', 'tsx', 'test/fixtures/secrets-probe.ts']
      const child = spawn(args[0]!, args.slice(1), { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      let err = ''
      child.stdout.on('data', (d) => (out += d))
      child.stderr.on('data', (d) => (err += d))
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`the probe hung for ${timeoutMs} ms`))
      }, timeoutMs)
      child.on('close', (code) => {
        clearTimeout(timer)
        const line = out.trim().split('\n').at(-1) ?? ''
        if (code !== 0) return reject(new Error(`probe exited ${code}: ${err}`))
        try {
          resolve({ out, err, result: JSON.parse(line) })
        } catch {
          reject(new Error(`probe printed no JSON: ${out} ${err}`))
        }
      })
    },
  )
}

function envWithout(...names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const name of names) delete env[name]
  return env
}

describe('secret store with an unusable keychain', () => {
  it('falls back to session-only after timeoutMs when the keychain hangs', async () => {
    // The store's clock is ours: it gives up at timeoutMs exactly, however busy the machine is.
    vi.useFakeTimers()
    try {
      const keytar = fakeKeytar(() => new Promise(() => {}))
      const store = createSecretStore({ keytar, timeoutMs: 150 })
      const key = fakeKey()
      let settled = false
      const saving = store.setKey(key).finally(() => (settled = true))
      await vi.advanceTimersByTimeAsync(149)
      expect(settled).toBe(false)
      await vi.advanceTimersByTimeAsync(1)
      expect(settled).toBe(true)
      const status = await saving
      expect(status.state).toBe('session-only')
      expect(status.detail).toMatch(/did not answer within 0\.2 seconds/)
      expect(status.detail).toMatch(/kept only until Atelier quits/)
      expect(status.detail).not.toContain(key)
      // The key still works for this run, without waiting on the keychain again (no timer needs to pass).
      expect(await store.getKey()).toBe(key)
    } finally {
      vi.useRealTimers()
    }
  })

  it('maps "no D-Bus" to session-only with a plain detail and never leaks the raw error', async () => {
    const keytar = fakeKeytar(async () => {
      throw new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')
    })
    const store = createSecretStore({ keytar })
    const before = await store.status()
    expect(before.state).toBe('absent')
    expect(before.detail).toMatch(/no Secret Service is running/)
    expect(before.detail).toMatch(/a key you save now is kept only until Atelier quits/)
    const key = fakeKey()
    const after = await store.setKey(key)
    expect(after).toEqual({
      state: 'session-only',
      detail:
        'Your system keychain is not available (no Secret Service is running), so the key is kept only until Atelier quits. Install and unlock GNOME Keyring or KWallet to remember it.',
    })
    expect(JSON.stringify(after)).not.toMatch(/autolaunch|\$DISPLAY/)
  })

  it('maps a locked keyring to session-only', async () => {
    const keytar = fakeKeytar(async () => {
      throw new Error('Object does not exist at path “/org/freedesktop/secrets/collection/login”')
    })
    const status = await createSecretStore({ keytar }).setKey(fakeKey())
    expect(status.state).toBe('session-only')
    expect(status.detail).toMatch(/locked/)
    expect(status.detail).not.toMatch(/freedesktop/)
  })

  it('reports a keytar that failed to load as absent with a warning, then session-only once a key is set', async () => {
    const store = createSecretStore({ keytar: new Error('Failed to load keytar native addon') })
    expect((await store.status()).state).toBe('absent')
    expect((await store.status()).detail).toMatch(/could not be loaded/)
    const key = fakeKey()
    expect((await store.setKey(key)).state).toBe('session-only')
    expect(await store.getKey()).toBe(key)
    expect((await store.removeKey()).state).toBe('absent')
    expect(await store.getKey()).toBeNull()
  })

  it('caches nothing wrong: when the keychain comes back, the next setKey stores the key persistently', async () => {
    let up = false
    const saved = new Map<string, string>()
    const keytar: KeytarLike = {
      async getPassword(s, a) {
        if (!up) throw new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')
        return saved.get(`${s}/${a}`) ?? null
      },
      async setPassword(s, a, p) {
        if (!up) throw new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')
        saved.set(`${s}/${a}`, p)
      },
      async deletePassword(s, a) {
        if (!up) throw new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')
        return saved.delete(`${s}/${a}`)
      },
    }
    const seen: SecretStatus[] = []
    const store = createSecretStore({ keytar })
    const off = store.onChange((s) => seen.push(s))
    expect((await store.setKey(fakeKey())).state).toBe('session-only')
    up = true
    const again = await store.status()
    expect(again.state).toBe('session-only')
    expect(again.detail).toMatch(/available again/)
    const key = fakeKey()
    expect(await store.setKey(key)).toEqual({ state: 'stored' })
    expect(saved.get('Atelier/oxen-api-key')).toBe(key)
    expect(await store.getKey()).toBe(key)
    expect(seen.map((s) => s.state)).toEqual(['session-only', 'session-only', 'stored'])
    off()
    await store.removeKey()
    expect(seen).toHaveLength(3)
  })

  it('rejects a malformed key with the schema message and touches no keychain', async () => {
    const keytar = fakeKeytar(async () => null)
    const store = createSecretStore({ keytar })
    await expect(store.setKey('has a space')).rejects.toThrow(/cannot contain spaces/)
    expect(keytar.calls).toEqual([])
  })

  it('a real process with no reachable D-Bus answers session-only quickly and never prints the key', async () => {
    const key = fakeKey()
    const { out, err, result } = await runProbe({
      ...envWithout('DISPLAY', 'WAYLAND_DISPLAY'),
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent',
      ATELIER_PROBE_KEY: key,
      ATELIER_PROBE_SERVICE: `Atelier-test-${randomBytes(4).toString('hex')}`,
      // Far beyond the test's own limit: "quickly" means the missing bus is noticed, never waited out.
      ATELIER_PROBE_TIMEOUT_MS: '600000',
    })
    expect(result.status.state).toBe('session-only')
    expect(result.status.detail).toMatch(/^Your system keychain is not available \(no Secret Service is running\), so the key is kept only until Atelier quits\./)
    expect(result.keyBack).toBe(true)
    expect(out + err).not.toContain(key)
  })
})

describe('test keyring availability', () => {
  it.runIf(!haveKeyring && Boolean(process.env.CI))('CI must run the keychain tests', () => {
    throw new Error(`ATELIER_TEST_KEYRING is not set under CI: the keychain tests must ${HOW}.`)
  })
})

describe.skipIf(!haveKeyring)(`secret store against the real gnome-keyring (skipped unless ${HOW})`, () => {
  const service = `Atelier-test-${randomBytes(6).toString('hex')}`
  const account = 'oxen-api-key'
  let keytar: KeytarLike

  async function lookup(): Promise<string | null> {
    try {
      const { stdout } = await run('secret-tool', ['lookup', 'service', service, 'account', account])
      return stdout
    } catch (error) {
      // secret-tool exits 1 with no output when nothing matches.
      if ((error as { code?: number }).code === 1) return null
      throw error
    }
  }

  beforeAll(async () => {
    const loaded = await loadKeytar()
    if (loaded instanceof Error) throw loaded
    keytar = loaded
  })

  afterAll(async () => {
    await keytar?.deletePassword(service, account).catch(() => false)
  })

  it('stores, replaces and removes the key, visible to secret-tool', async () => {
    const store = createSecretStore({ keytar, service, account })
    expect(await store.status()).toEqual({ state: 'absent' })

    const first = fakeKey()
    expect(await store.setKey(first)).toEqual({ state: 'stored' })
    expect(await store.status()).toEqual({ state: 'stored' })
    expect(await lookup()).toBe(first)
    expect(await store.getKey()).toBe(first)

    const second = fakeKey()
    expect(await store.setKey(second)).toEqual({ state: 'stored' })
    expect(await lookup()).toBe(second)
    // A fresh store (a restart) finds the key in the keychain.
    expect(await createSecretStore({ keytar, service, account }).getKey()).toBe(second)

    expect(await store.removeKey()).toEqual({ state: 'absent' })
    expect(await lookup()).toBeNull()
    expect(await store.status()).toEqual({ state: 'absent' })
    expect(await store.getKey()).toBeNull()
  })

  it('a real process on a bus whose keyring has no unlocked collection answers session-only', async () => {
    const home = mkdtempSync(join(tmpdir(), 'atelier-locked-'))
    mkdirSync(join(home, 'run'), { mode: 0o700 })
    try {
      const key = fakeKey()
      const env: NodeJS.ProcessEnv = {
        ...envWithout('DISPLAY', 'WAYLAND_DISPLAY', 'DBUS_SESSION_BUS_ADDRESS', 'GNOME_KEYRING_CONTROL'),
        HOME: home,
        // A fresh runtime dir, or the auto-started daemon finds the unlocked test keyring's socket and waits on it.
        XDG_RUNTIME_DIR: join(home, 'run'),
        XDG_DATA_HOME: join(home, 'data'),
        XDG_CACHE_HOME: join(home, 'cache'),
        XDG_CONFIG_HOME: join(home, 'config'),
        ATELIER_PROBE_KEY: key,
        ATELIER_PROBE_SERVICE: service,
        // Far beyond the test's own limit: the answer has to come from the keyring, never from the store's timeout.
        ATELIER_PROBE_TIMEOUT_MS: '600000',
      }
      // A private bus where gnome-keyring is only auto-started, never unlocked: it has no login collection.
      const { out, err, result } = await runProbe(env, ['dbus-run-session', '--'])
      expect(result.status.state).toBe('session-only')
      expect(result.status.detail).toMatch(/kept only until Atelier quits/)
      // It said why on its own: not the timeout's "did not answer".
      expect(result.status.detail).toMatch(/^Your system keychain is locked or has no default keyring/)
      expect(out + err).not.toContain(key)
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })
})
