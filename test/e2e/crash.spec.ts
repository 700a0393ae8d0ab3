// The harness process is killed with SIGKILL mid-download and mid-generation, then started again on
// the same data folder: every job completes with exactly N images, nothing is enqueued twice, no
// partial file is left behind. Real processes, real SQLite journal, real simulator over loopback.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import type { HistoryPage, Job } from '../../shared/domain'
import { connectBridge, listFiles, randomTag, startHarness, startSimulator, tempDir, until, type Proc } from './support'

interface Stats {
  enqueueRequests: number
  acceptedEnqueues: { generationIds: string[] }[]
  downloadAttempts: number
  downloads: number
}

test.describe('crash safety', () => {
  test.skip(!process.env.ATELIER_TEST_KEYRING, 'needs the real keychain: run through `npm test` (scripts/with-keyring.sh)')

  const procs: Proc[] = []
  test.afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop('SIGKILL')))
  })

  async function scenario(opts: { simArgs: string[]; count: number; killWhen: (s: Stats) => boolean; label: string }) {
    const key = `test-key-${randomTag()}`
    const simulator = await startSimulator(key, opts.simArgs)
    procs.push(simulator)
    const stats = async () => (await (await fetch(`${simulator.url}/__sim/stats`)).json()) as Stats
    const dataDir = tempDir('atelier-crash-')
    const keychainService = `Atelier-e2e-${randomTag()}`
    const first = await startHarness({ dataDir, oxenUrl: simulator.url, keychainService })
    procs.push(first)
    const bridge = await connectBridge(first.url)
    expect(await bridge.call('setApiKey', { key })).toMatchObject({ ok: true, value: { state: 'stored' } })
    const started = await bridge.call<{ jobId: string }>('generate', { prompt: `crash ${opts.label} ${randomTag()}`, count: opts.count, params: { size: '2K' } })
    if (!started.ok) throw new Error(started.error.message)

    await until(`the moment to kill (${opts.label})`, async () => opts.killWhen(await stats()))
    await first.stop('SIGKILL')
    bridge.close()
    const before = await stats()

    const second = await startHarness({ dataDir, oxenUrl: simulator.url, keychainService })
    procs.push(second)
    const bridge2 = await connectBridge(second.url)
    const job = await until('the resumed job to finish', async () => {
      const jobs = await bridge2.call<Job[]>('listJobs')
      const found = jobs.ok ? jobs.value.find((j) => j.id === started.value.jobId) : undefined
      return found && found.status !== 'running' ? found : undefined
    }, 60_000, 200)
    const after = await stats()

    expect(job.status).toBe('completed')
    expect(job.images.map((i) => i.state)).toEqual(Array(opts.count).fill('saved'))
    expect(job.images.every((i) => i.resumed)).toBe(true)
    // Nothing was enqueued again after the restart, and no generation was accepted twice.
    expect(after.enqueueRequests).toBe(before.enqueueRequests)
    expect(after.acceptedEnqueues.flatMap((e) => e.generationIds)).toHaveLength(opts.count)
    // Exactly N images in the library, N files on disk, no partial file left.
    const history = await bridge2.call<HistoryPage>('listHistory', { limit: 10 })
    expect(history.ok && history.value.entries.flatMap((e) => e.images)).toHaveLength(opts.count)
    const images = listFiles(join(dataDir, 'library', 'images'))
    expect(images).toHaveLength(opts.count)
    const tmp = join(dataDir, 'library', '.tmp')
    expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([])
    bridge2.close()
    return { before, after }
  }

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
