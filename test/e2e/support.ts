// What the e2e specs share: the real simulator and harness as child processes (so a test can stop, kill and
// restart them), navigation, temp folders, file checks and a Node-side bridge client.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, type Page } from '@playwright/test'

import { startProcess, type Proc } from '../processes'

export { ROOT, startProcess, type Proc } from '../processes'

/** Goes to one of the app's destinations through the main navigation, as a user would. */
export const nav = (page: Page, name: 'Create' | 'Library' | 'Settings') =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click()

/** The composer's Generate button: its name goes on with the count and the price ("Generate 4 · ≈ $0.14"). */
export const generateButton = (page: Page) => page.getByRole('button', { name: /^Generate \d+/ })

/** The composer's model picker: its trigger is named after the chosen model ("Model: Seedream 5.0 Lite"). */
export const modelTrigger = (page: Page) => page.getByRole('button', { name: /^Model: / })

/** Picks a model by typing into the picker's search and pressing Enter on the first match, as a user would. */
export async function pickModel(page: Page, search: string, name: string): Promise<void> {
  await modelTrigger(page).click()
  const picker = page.getByRole('dialog', { name: 'Choose a model', exact: true })
  await picker.getByRole('combobox').fill(search)
  await expect(picker.getByRole('option').first()).toContainText(name)
  await page.keyboard.press('Enter')
  await expect(modelTrigger(page)).toHaveAccessibleName(`Model: ${name}`)
}

export function startSimulator(apiKey: string, extra: string[] = []): Promise<Proc> {
  return startProcess(
    'tools/oxen-simulator/cli.ts',
    ['--port', '0', '--api-key', apiKey, '--queued-ms', '150', '--processing-ms', '600', ...extra],
    /listening on (http:\/\/127\.0\.0\.1:\d+)/,
  )
}

export function startHarness(opts: { dataDir: string; oxenUrl: string; keychainService: string; crashAt?: string }): Promise<Proc> {
  return startProcess(
    'tools/harness/cli.ts',
    [
      ...['--port', '0', '--data-dir', opts.dataDir, '--oxen-url', opts.oxenUrl, '--keychain-service', opts.keychainService, '--poll-ms', '500'],
      ...(opts.crashAt ? ['--crash-at', opts.crashAt] : []),
    ],
    /Atelier harness: (http:\/\/127\.0\.0\.1:\d+\/)/,
  )
}

/** Removes a test's key from the keychain (nothing stored is fine). */
export function clearKeychain(service: string): void {
  try {
    execFileSync('secret-tool', ['clear', 'service', service, 'account', 'oxen-api-key'])
  } catch {
    // nothing stored
  }
}

export interface App {
  simulator: Proc
  harness: Proc
  /** The key saved in the app (and the only one the simulator accepts). */
  key: string
  dataDir: string
  /** Ends both processes and removes the key from the keychain. */
  stop(): Promise<void>
}

/** A simulator (with `simArgs`), a harness on it with a data folder and keychain entry of its own, the key saved. */
export async function startApp(name: string, simArgs: string[] = []): Promise<App> {
  const key = `test-key-${randomTag()}`
  const keychainService = `Atelier-e2e-${randomTag()}`
  const simulator = await startSimulator(key, simArgs)
  const dataDir = tempDir(`atelier-e2e-${name}-`)
  const harness = await startHarness({ dataDir, oxenUrl: simulator.url, keychainService })
  const bridge = await connectBridge(harness.url)
  expect((await bridge.call('setApiKey', { key })).ok).toBe(true)
  bridge.close()
  return {
    simulator,
    harness,
    key,
    dataDir,
    async stop() {
      await harness.stop()
      await simulator.stop()
      clearKeychain(keychainService)
    },
  }
}

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix))
export const randomTag = () => randomBytes(6).toString('hex')

/** Every file under `dir` whose bytes contain `needle` (as UTF-8 or UTF-16LE). */
export function filesContaining(dir: string, needle: string): string[] {
  const patterns = [Buffer.from(needle, 'utf8'), Buffer.from(needle, 'utf16le')]
  const hits: string[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name)
      if (statSync(path).isDirectory()) walk(path)
      else {
        const bytes = readFileSync(path)
        if (patterns.some((p) => bytes.includes(p))) hits.push(path)
      }
    }
  }
  walk(dir)
  return hits
}

/** Lists every file under `dir` (relative paths), for assertions about what the app wrote. */
export function listFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name)
      if (statSync(path).isDirectory()) walk(path, join(rel, name))
      else out.push(join(rel, name))
    }
  }
  walk(dir, '')
  return out
}

/** Speaks the harness's contract over its WebSocket from Node, as the browser bridge does. */
export async function connectBridge(harnessUrl: string) {
  const { WebSocket } = await import('ws')
  const origin = harnessUrl.replace(/\/$/, '')
  const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/__atelier/ws`, { origin })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  let nextId = 1
  const pending = new Map<number, (result: unknown) => void>()
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { kind: string; id?: number; result?: unknown }
    if (message.kind === 'response' && message.id !== undefined) pending.get(message.id)?.(message.result)
  })
  return {
    call<T = unknown>(name: string, input?: unknown): Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }> {
      const id = nextId++
      return new Promise((resolve) => {
        pending.set(id, resolve as (r: unknown) => void)
        ws.send(JSON.stringify({ kind: 'request', id, name, input }))
      })
    },
    close: () => ws.close(),
  }
}

/** An empty composer on the default model, as main keeps it (draft.json). */
export const EMPTY_DRAFT = { modelId: null, prompt: '', count: 4, params: {}, chosen: [], jsonDrafts: {}, seed: { mode: 'random' }, images: { input: [], mask: [] } }

/** The composer keeps its draft across reloads: a test that needs an empty one empties it first. */
export async function emptyDraft(harnessUrl: string): Promise<void> {
  const bridge = await connectBridge(harnessUrl)
  try {
    expect((await bridge.call('saveDraft', EMPTY_DRAFT)).ok).toBe(true)
  } finally {
    bridge.close()
  }
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
