// The app's sync requests through dispatch (validation, the task answered at once, onSyncTask to the end), and the
// wiring at start: a push cut off by a crash (a checkpoint that throws after 2 staged files) goes on by itself when
// the services start again on the same data folder, sending only what was not staged, each file once.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAppServices, type AppServices } from '../../electron/services/app'
import type { Checkpoint } from '../../electron/services/checkpoint'
import type { KeytarLike } from '../../electron/services/secrets'
import { createNodeSettingsBacking } from '../../electron/services/settings'
import type { Board } from '../../shared/domain'
import type { SyncTask } from '../../shared/sync'
import { startSimulator, type Simulator } from '../../tools/oxen-simulator/index'
import { mediaUrl } from '../fixtures/library-fixture'
import { makeImage, testRecipe, writeTemp } from '../fixtures/library-images'
import { testLog } from '../fixtures/jobs-world'

const KEY = 'sync-service-test-key'
let sim: Simulator
let dataDir: string
beforeEach(async () => {
  sim = await startSimulator({ apiKeys: [KEY] })
  dataDir = mkdtempSync(join(tmpdir(), 'atelier-sync-'))
})
afterEach(async () => {
  await sim.close()
  rmSync(dataDir, { recursive: true, force: true })
})

/** A keychain that outlives one start of the services, as the OS keychain does (the real one is tested in secrets.test). */
function memoryKeychain(): KeytarLike {
  const items = new Map<string, string>()
  return {
    getPassword: async (service, account) => items.get(`${service}/${account}`) ?? null,
    setPassword: async (service, account, password) => void items.set(`${service}/${account}`, password),
    deletePassword: async (service, account) => items.delete(`${service}/${account}`),
  }
}

function start(keytar: KeytarLike, checkpoint?: Checkpoint) {
  const tasks: SyncTask[] = []
  const services = createAppServices({
    dataDir,
    keytar,
    settingsBacking: createNodeSettingsBacking(dataDir),
    settingsOverrides: { oxenBaseUrl: sim.baseUrl },
    mediaUrl,
    emit: (name, payload) => {
      if (name === 'onSyncTask') tasks.push(payload as SyncTask)
    },
    log: testLog,
    timing: { retryBaseMs: 1 },
    ...(checkpoint ? { checkpoint } : {}),
  })
  /** The last event of the first task of `kind` to end. */
  const ended = async (kind: SyncTask['kind']) => {
    await expect.poll(() => tasks.find((t) => t.kind === kind && t.state !== 'running'), { timeout: 20_000 }).toBeTruthy()
    return tasks.find((t) => t.kind === kind && t.state !== 'running')!
  }
  return { services, tasks, ended }
}

async function call<T>(app: AppServices, name: Parameters<AppServices['dispatch']>[0], input?: unknown): Promise<T> {
  const result = await app.dispatch(name, input)
  if (!result.ok) throw new Error(`${name} failed: ${result.error.message}`)
  return result.value as T
}

async function boardOfFive(app: AppServices): Promise<Board> {
  const ids: string[] = []
  for (let i = 0; i < 5; i++) {
    const bytes = await makeImage('png', 64 + i, 48)
    const saved = await app.library.saveImage({
      tempPath: writeTemp(app.library, bytes),
      recipe: testRecipe({ jobId: 'job-sync', generationId: `gen-sync-${i}`, index: i, count: 5, prompt: `a kite ${i}` }),
    })
    ids.push(saved.id)
  }
  const board = await call<Board>(app, 'createBoard', { name: 'Kites' })
  await call(app, 'addToBoard', { boardId: board.id, imageIds: ids })
  return board
}

describe('sync through the app services', () => {
  it('refuses a bad repository name beside the field, before anything is sent', async () => {
    const { services } = start(memoryKeychain())
    try {
      const result = await services.dispatch('pushToRepo', { repo: { name: '-bad name' }, isPublic: false, message: 'x', source: { imageIds: ['a'] } })
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.error).toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/^repo\.name: A repository name must start/) })
      expect(sim.stats().reposCreated).toBe(0)
    } finally {
      await services.dispose()
    }
  })

  it('a push cut off by a crash goes on by itself at the next start, each file sent once', async () => {
    let staged = 0
    const crashAfterTwo: Checkpoint = (point) => {
      if (point === 'push-file-staged' && ++staged === 2) throw new Error('crash (test)')
    }
    const keychain = memoryKeychain()
    const first = start(keychain, crashAfterTwo)
    const board = await boardOfFive(first.services)
    await call(first.services, 'setApiKey', { key: KEY })
    const task = await call<SyncTask>(first.services, 'pushToRepo', { repo: { name: 'kites' }, isPublic: false, message: 'Add Kites', source: { boardId: board.id } })
    expect(task).toMatchObject({ kind: 'push', target: 'atelier-user/kites', state: 'running' })
    expect(await first.ended('push')).toMatchObject({ state: 'failed' })
    expect(sim.stats().workspaceFilesAdded).toBe(2)
    await first.services.dispose()

    const second = start(keychain)
    try {
      // Resumed at start, without being asked.
      const resumed = await second.ended('push')
      expect(resumed).toMatchObject({ target: 'atelier-user/kites', state: 'done', url: `${sim.baseUrl}/atelier-user/kites` })
      const stats = sim.stats()
      expect(stats.workspaceFilesAdded).toBe(6) // 2 before the crash + 3 images + images.jsonl
      expect(new Set(stats.workspaceAddedPaths).size).toBe(6)
      expect(stats.workspaceCommits).toBe(1)
      expect(await call<SyncTask[]>(second.services, 'listSyncTasks')).toEqual([resumed])
    } finally {
      await second.services.dispose()
    }
  })
})
