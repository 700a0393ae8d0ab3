// The harness process is killed with SIGKILL at each step of a job — journaled but not sent, during the send,
// accepted but its generation ids not journaled, mid-generation, mid-download, between the file rename and the
// index insert — then started again on the same data folder: every job completes with exactly N images, no
// enqueue is accepted twice, no partial file is left behind. Real processes, real SQLite journal, real simulator.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import type { Job, LibraryPage } from '../../shared/domain'
import { connectBridge, listFiles, randomTag, startHarness, startSimulator, tempDir, until, type Proc } from './support'

interface Stats {
  enqueueRequests: number
  acceptedEnqueues: { generationIds: string[]; answered: boolean }[]
  downloadAttempts: number
  downloads: number
}

test.describe('crash safety', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')

  const procs: Proc[] = []
  test.afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop('SIGKILL')))
  })

  /** `crashAt`: the app kills itself at that point; otherwise the test kills it once `killWhen` holds. */
  async function scenario(opts: {
    simArgs?: string[]
    count: number
    label: string
    crashAt?: string
    killWhen?: (s: Stats) => boolean
  }) {
    const key = `test-key-${randomTag()}`
    const simulator = await startSimulator(key, opts.simArgs ?? [])
    procs.push(simulator)
    const stats = async () => (await (await fetch(`${simulator.url}/__sim/stats`)).json()) as Stats
    const dataDir = tempDir('atelier-crash-')
    const keychainService = `Atelier-e2e-${randomTag()}`
    const first = await startHarness({ dataDir, oxenUrl: simulator.url, keychainService, ...(opts.crashAt ? { crashAt: opts.crashAt } : {}) })
    procs.push(first)
    const bridge = await connectBridge(first.url)
    expect(await bridge.call('setApiKey', { key })).toMatchObject({ ok: true, value: { state: 'stored' } })
    const prompt = `crash ${opts.label} ${randomTag()}`
    // At 'job-journaled' the app dies before it answers: the job is then found by its prompt after the restart.
    const generating = bridge.call<{ jobId: string }>('generate', { modelId: 'bytedance-seedream-5-lite', prompt, count: opts.count, params: { size: '2K' } })
    if (opts.crashAt !== 'job-journaled') {
      const started = await generating
      if (!started.ok) throw new Error(started.error.message)
    }

    if (opts.killWhen) {
      await until(`the moment to kill (${opts.label})`, async () => opts.killWhen!(await stats()) || undefined)
      await first.stop('SIGKILL')
    } else {
      await until(`the app to kill itself at ${opts.crashAt}`, async () => first.child.signalCode === 'SIGKILL' || undefined)
    }
    bridge.close()
    const before = await stats()

    const second = await startHarness({ dataDir, oxenUrl: simulator.url, keychainService })
    procs.push(second)
    const bridge2 = await connectBridge(second.url)
    const job = await until('the resumed job to finish', async () => {
      const jobs = await bridge2.call<Job[]>('listJobs')
      const found = jobs.ok ? jobs.value.find((j) => j.prompt === prompt) : undefined
      return found && found.status !== 'running' ? found : undefined
    }, 60_000, 200)
    const after = await stats()

    expect(job.status).toBe('completed')
    expect(job.images.map((i) => i.state)).toEqual(Array(opts.count).fill('saved'))
    expect(job.images.every((i) => i.resumed)).toBe(true)
    // Every enqueue that reached Oxen was accepted once, and together they made exactly N generations.
    expect(after.enqueueRequests).toBe(after.acceptedEnqueues.length)
    expect(after.acceptedEnqueues.flatMap((e) => e.generationIds)).toHaveLength(opts.count)
    expect(new Set(job.images.map((i) => i.generationId)).size).toBe(opts.count)
    // Exactly N images in the library, N files on disk, no partial file left.
    const page = await bridge2.call<LibraryPage>('searchLibrary', { text: 'crash', limit: 100 })
    expect(page.ok && page.value.items.filter((i) => i.jobId === job.id)).toHaveLength(opts.count)
    const images = listFiles(join(dataDir, 'library', 'images'))
    expect(images).toHaveLength(opts.count)
    const tmp = join(dataDir, 'library', '.tmp')
    expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([])
    bridge2.close()
    return { before, after }
  }

  test('SIGKILL after the job is journaled, before anything is sent: the restarted app sends it, once', async () => {
    const { before, after } = await scenario({ label: 'journaled', count: 5, crashAt: 'job-journaled' })
    expect(before.enqueueRequests).toBe(0)
    expect(after.enqueueRequests).toBe(2)
  })

  test('SIGKILL while the enqueue is on its way: the restarted app finds it in the queue instead of sending it again', async () => {
    const { before, after } = await scenario({
      label: 'during-send',
      count: 3,
      simArgs: ['--fault', 'slow-answer=3000;times=1'],
      killWhen: (s) => s.enqueueRequests >= 1, // Oxen took it; its answer is being held
    })
    expect(before.acceptedEnqueues.every((e) => !e.answered)).toBe(true)
    expect(after.enqueueRequests).toBe(1)
  })

  test('SIGKILL after Oxen accepted, before the generation ids are journaled: the restarted app adopts them', async () => {
    const { before, after } = await scenario({ label: 'answered', count: 4, crashAt: 'enqueue-answered' })
    expect(before.enqueueRequests).toBe(1)
    expect(after.enqueueRequests).toBe(1)
  })

  test('SIGKILL between the file rename and the index insert: the restarted app saves that image once, in the same file', async () => {
    const { before } = await scenario({ label: 'renamed', count: 2, crashAt: 'image-renamed' })
    expect(before.downloads).toBeGreaterThanOrEqual(1)
  })

  test('SIGKILL mid-download: the restarted app downloads what finished and saves each image once', async () => {
    const { before } = await scenario({
      label: 'mid-download',
      count: 5,
      // ~2–3 s per 2K PNG: the kill lands while downloads stream into .tmp.
      simArgs: ['--fault', 'slow-download=400000'],
      killWhen: (s) => s.downloadAttempts >= 2 && s.downloads < 5,
    })
    expect(before.downloads).toBeLessThan(5)
  })

  test('SIGKILL mid-generation (SSE open, nothing finished): the restarted app polls and completes', async () => {
    const { before } = await scenario({
      label: 'mid-sse',
      count: 6,
      simArgs: ['--processing-ms', '2500'],
      killWhen: (s) => s.enqueueRequests >= 2,
    })
    expect(before.downloadAttempts).toBe(0)
  })
})
