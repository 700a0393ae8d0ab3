// Importing the generation history (issue 13) over the real simulator and a real library in a temp folder: past
// generations made elsewhere land in the library once each, with recipe and cost, through expired list links;
// importing again downloads nothing; a cancelled import resumes without duplicates; Atelier's own images are
// skipped; a download that fails is reported and tried again at the next import.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OxenClient, type FetchLike } from '../../electron/services/oxen/client'
import { deriveModelForm } from '../../electron/services/oxen/model-form'
import {
  HISTORY_STATE_FILE,
  importGenerationHistory,
  type HistoryImportDeps,
  type HistoryState,
} from '../../electron/services/sync/history-import'
import type { TaskControl } from '../../electron/services/sync/tasks'
import { startSimulator, type SeededGeneration, type Simulator } from '../../tools/oxen-simulator/index'
import { JobsWorld, testLog, waitFor } from '../fixtures/jobs-world'

const KEY = 'test-key-history-import'

let sim: Simulator
let world: JobsWorld

beforeEach(async () => {
  sim = await startSimulator({ apiKeys: [KEY], queuedMs: 20, processingMs: 50 })
  world = new JobsWorld()
})
afterEach(async () => {
  await world.close()
  await sim.close()
})

interface Run {
  control: TaskControl & { abort: AbortController }
  progress: [number, number | null][]
  changed: string[]
  /** GETs of the history list (`/api/ai/generations?…`). */
  listReads: () => number
}

function setup(opts: { pageSize?: number; fetch?: FetchLike } = {}): { deps: HistoryImportDeps; run: () => Run } {
  let listReads = 0
  const counting: FetchLike = (url, init) => {
    if (/\/api\/ai\/generations\?/.test(url)) listReads++
    return (opts.fetch ?? fetch)(url, init)
  }
  const client = new OxenClient({ baseUrl: sim.baseUrl, getKey: async () => KEY, fetch: counting, retry: { attempts: 3, baseMs: 20, capMs: 100 } })
  const changed: string[] = []
  const deps: HistoryImportDeps = {
    client: () => client,
    library: world.library,
    stateDir: world.dir,
    log: testLog,
    onLibraryChanged: (ids) => changed.push(...ids),
    retryBaseMs: 10,
    readTimeoutMs: 10_000,
    ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
  }
  return {
    deps,
    run: () => {
      changed.length = 0
      const abort = new AbortController()
      const progress: [number, number | null][] = []
      const before = listReads
      return {
        control: { abort, signal: abort.signal, progress: (done, total) => progress.push([done, total]), setUrl: () => undefined },
        progress,
        changed,
        listReads: () => listReads - before,
      }
    },
  }
}

/** Rows of the library index: how many images, how many distinct generations. */
function libraryCounts(): { images: number; generations: number } {
  const row = world.library.db.prepare('SELECT count(*) AS images, count(DISTINCT generation_id) AS generations FROM images').get() as {
    images: number
    generations: number
  }
  return { images: row.images, generations: row.generations }
}

function readState(): HistoryState | null {
  const path = join(world.dir, HISTORY_STATE_FILE)
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as HistoryState) : null
}

/** The history record of a generation, as Oxen answers it (API.md §4.5). */
async function record(id: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${sim.baseUrl}/api/ai/generations/${id}`, { headers: { Authorization: `Bearer ${KEY}` } })
  return ((await res.json()) as { generation: Record<string, unknown> }).generation
}

const images = (seeded: SeededGeneration[]) => seeded.filter((g) => g.media_type === 'image' && g.status === 'succeeded')

describe('importing the generation history', () => {
  it('brings 250 past generations in once each, through expired list links, with recipe and cost; a second import downloads nothing', async () => {
    const seeded = sim.seedHistory({ count: 250, expiredUrls: true, failed: 3, nonImage: 2 })
    expect(seeded).toHaveLength(255)
    const wanted = images(seeded)
    expect(wanted).toHaveLength(250)
    const { deps, run } = setup()

    const first = run()
    const outcome = await importGenerationHistory(deps, first.control)
    expect(outcome.message).toBe('Imported 250 images from your Oxen history.')
    expect(libraryCounts()).toEqual({ images: 250, generations: 250 })
    expect(world.imageFiles()).toHaveLength(250)
    expect(world.tempFiles()).toEqual([])
    // Every list link had expired: each image was refused once, then fetched through a fresh link from its record.
    expect(sim.stats().downloads).toBe(250)
    expect(sim.stats().downloadAttempts).toBe(500)
    expect(new Set(first.changed)).toEqual(new Set(wanted.map((g) => world.library.imageForGeneration(g.generation_id)!.id)))
    // Progress ends at its total: every image row looked at (the failed ones too; Oxen leaves out the videos).
    expect(first.progress.at(-1)).toEqual([253, 253])
    expect(first.progress[0]![1]).toBe(253) // known from the first page

    for (const g of wanted) {
      const image = world.library.imageForGeneration(g.generation_id)
      expect(image, g.generation_id).not.toBeNull()
      const rec = await record(g.generation_id)
      expect(image).toMatchObject({
        modelId: g.model_name,
        prompt: g.prompt,
        params: { seed: rec.seed, aspect_ratio: rec.aspect_ratio },
        cost: rec.cost,
        createdAt: g.enqueued_at * 1000,
        index: 0,
        jobCount: 1,
        references: [],
        format: 'png',
      })
      // The echoed request fields only: none of the record's own metadata.
      expect(Object.keys(image!.params).sort()).toEqual(['aspect_ratio', 'seed'])
    }
    for (const g of seeded.filter((s) => !wanted.includes(s))) expect(world.library.imageForGeneration(g.generation_id)).toBeNull()
    // One library job per generation, stable across imports.
    const jobs = new Set(wanted.map((g) => world.library.imageForGeneration(g.generation_id)!.jobId))
    expect(jobs.size).toBe(250)

    const state = readState()!
    expect(state.watermark).toBe(Math.max(...seeded.map((g) => g.enqueued_at)) * 1000)
    expect(state.entries).toBe(253)

    const attempts = sim.stats().downloadAttempts
    const second = run()
    const again = await importGenerationHistory(deps, second.control)
    expect(again.message).toMatch(/^No new images in your Oxen history(; \d+ (was|were) already in your library)?\.$/)
    expect(sim.stats().downloadAttempts).toBe(attempts) // not one download, not even a refused one
    expect(second.listReads()).toBe(1) // the first page reaches the watermark
    expect(second.changed).toEqual([])
    expect(libraryCounts()).toEqual({ images: 250, generations: 250 })
  }, 120_000)

  it('a later import lists only what is new since the last one', async () => {
    sim.seedHistory({ count: 60, failed: 0, nonImage: 0 })
    const { deps, run } = setup({ pageSize: 20 })
    const first = run()
    expect((await importGenerationHistory(deps, first.control)).message).toBe('Imported 60 images from your Oxen history.')
    expect(first.listReads()).toBe(3)

    // Three new generations, made elsewhere just now.
    const res = await fetch(`${sim.baseUrl}/api/ai/queue`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'z-image-turbo', prompt: 'made on the Workbench', num_generations: 3, seed: 5 }),
    })
    const { generations } = (await res.json()) as { generations: { generation_id: string }[] }
    await waitFor(async () => ((await Promise.all(generations.map((g) => record(g.generation_id)))).every((r) => r.status === 'succeeded') ? true : undefined))

    const downloads = sim.stats().downloads
    const second = run()
    const outcome = await importGenerationHistory(deps, second.control)
    expect(outcome.message).toMatch(/^Imported 3 images from your Oxen history[.;]/)
    expect(sim.stats().downloads - downloads).toBe(3)
    // The first page holds the new rows and ends below the watermark: not the whole history again.
    expect(second.listReads()).toBe(1)
    expect(second.progress.at(-1)![0]).toBe(second.progress.at(-1)![1])
    for (const g of generations) {
      expect(world.library.imageForGeneration(g.generation_id)).toMatchObject({ modelId: 'z-image-turbo', prompt: 'made on the Workbench', params: { seed: 5 } })
    }
    expect(libraryCounts()).toEqual({ images: 63, generations: 63 })
  })

  it('a cancelled import leaves the watermark alone; the next one completes with each generation once', async () => {
    const seeded = images(sim.seedHistory({ count: 80, expiredUrls: true }))
    const { deps, run } = setup({ pageSize: 20 })
    const first = run()
    const running = importGenerationHistory(deps, first.control)
    await waitFor(() => (first.changed.length >= 15 ? true : undefined), 20_000)
    first.control.abort.abort()
    await expect(running).rejects.toThrow()
    const kept = libraryCounts().images
    expect(kept).toBeGreaterThanOrEqual(15)
    expect(kept).toBeLessThan(80)
    expect(readState()).toBeNull() // no watermark from an import that did not finish

    const downloads = sim.stats().downloads
    const second = run()
    const outcome = await importGenerationHistory(deps, second.control)
    const now = libraryCounts()
    expect(now).toEqual({ images: 80, generations: 80 })
    expect(outcome.message).toBe(`Imported ${80 - kept} images from your Oxen history; ${kept} were already in your library.`)
    // What the cancelled import saved was not fetched again.
    expect(sim.stats().downloads - downloads).toBe(80 - kept)
    expect(world.imageFiles()).toHaveLength(80)
    for (const g of seeded) expect(world.library.imageForGeneration(g.generation_id)?.prompt).toBe(g.prompt)
    expect(readState()?.watermark).toBe(Math.max(...seeded.map((g) => g.enqueued_at)) * 1000)
  })

  it('skips the generations Atelier made itself, leaving their recipes as they are', async () => {
    const client = new OxenClient({ baseUrl: sim.baseUrl, getKey: async () => KEY, retry: { attempts: 3, baseMs: 20, capMs: 100 } })
    const { engine, finished } = world.engine({
      client: () => client,
      modelForm: async () => deriveModelForm('z-image-turbo', await client.getModel('z-image-turbo')),
      maxConcurrentDownloads: () => 2,
      maxConcurrentJobs: () => 1,
      retryBaseMs: 20,
      onJobUpdate: () => undefined,
      onLibraryChanged: () => undefined,
      pollIntervalMs: 100,
    })
    const { jobId } = await engine.generate({ modelId: 'z-image-turbo', prompt: 'made in Atelier', count: 2, params: {} })
    const job = await finished(jobId)
    expect(job.status).toBe('completed')
    const own = job.images.map((i) => world.library.getImage(i.imageId!)!)
    sim.seedHistory({ count: 10, failed: 1, nonImage: 1 })

    const downloads = sim.stats().downloads
    const { deps, run } = setup()
    const outcome = await importGenerationHistory(deps, run().control)
    expect(outcome.message).toBe('Imported 10 images from your Oxen history; 2 were already in your library.')
    expect(sim.stats().downloads - downloads).toBe(10)
    expect(libraryCounts()).toEqual({ images: 12, generations: 12 })
    for (const image of own) {
      expect(world.library.getImage(image.id)).toMatchObject({ jobId, jobCount: 2, prompt: 'made in Atelier', createdAt: image.createdAt })
    }
  })

  it('keeps to finished image generations when the server does not filter by media type', async () => {
    const seeded = sim.seedHistory({ count: 5, failed: 1, nonImage: 2 })
    // A server that ignores `media_type`: the videos come along and must be left out here.
    const unfiltered: FetchLike = (url, init) => fetch(url.replace('media_type=image&', ''), init)
    const { deps, run } = setup({ fetch: unfiltered })
    const r = run()
    expect((await importGenerationHistory(deps, r.control)).message).toBe('Imported 5 images from your Oxen history.')
    expect(r.progress.at(-1)).toEqual([8, 8])
    expect(libraryCounts().images).toBe(5)
    for (const g of seeded) expect(world.library.imageForGeneration(g.generation_id) !== null).toBe(g.media_type === 'image' && g.status === 'succeeded')
  })

  it('reads the history through rate limits and server errors (GETs retried, Retry-After honoured)', async () => {
    sim.seedHistory({ count: 5, failed: 0, nonImage: 0 })
    sim.setFaults({
      requests: [
        { method: 'GET', path: '^/api/ai/generations$', status: 429, retryAfterSeconds: 0, times: 1 },
        { method: 'GET', path: '^/api/ai/generations$', status: 503, times: 1 },
      ],
    })
    const { deps, run } = setup()
    const r = run()
    expect((await importGenerationHistory(deps, r.control)).message).toBe('Imported 5 images from your Oxen history.')
    expect(r.listReads()).toBe(3)
    expect(sim.stats().enqueueRequests).toBe(0) // nothing is ever sent to be made
  })

  it('a generation still running during an import holds the watermark, so the next import brings it in', async () => {
    const seeded = images(sim.seedHistory({ count: 10, failed: 0, nonImage: 0 }))
    const late = seeded[3]!
    let patch = true
    // Oxen still shows it processing, without a result (it is older than six finished ones).
    const stillRunning: FetchLike = async (url, init) => {
      const res = await fetch(url, init)
      if (!patch || !/\/api\/ai\/generations\?/.test(url)) return res
      const body = (await res.json()) as { generations: Record<string, unknown>[] }
      for (const row of body.generations) if (row.generation_id === late.generation_id) Object.assign(row, { status: 'processing', result_url: null })
      return new Response(JSON.stringify(body), { status: res.status, headers: { 'content-type': 'application/json' } })
    }
    const { deps, run } = setup({ fetch: stillRunning })
    expect((await importGenerationHistory(deps, run().control)).message).toBe('Imported 9 images from your Oxen history.')
    expect(world.library.imageForGeneration(late.generation_id)).toBeNull()
    expect(readState()?.watermark).toBe(late.enqueued_at * 1000)

    patch = false
    expect((await importGenerationHistory(deps, run().control)).message).toBe('Imported 1 image from your Oxen history; 6 were already in your library.')
    expect(world.library.imageForGeneration(late.generation_id)?.prompt).toBe(late.prompt)
    expect(libraryCounts()).toEqual({ images: 10, generations: 10 })
  })

  it('a download that keeps failing is reported, does not stop the rest, and is tried again at the next import', async () => {
    const seeded = images(sim.seedHistory({ count: 12, failed: 0, nonImage: 0 }))
    const broken = seeded[4]!
    // Its result file answers 500 however often it is asked for (fresh links included); the others are fine.
    sim.setFaults({ requests: [{ method: 'GET', path: `/generations/${broken.generation_id}\\.`, status: 500 }] })
    const { deps, run } = setup()
    const first = await importGenerationHistory(deps, run().control)
    expect(first.message).toMatch(
      /^Imported 11 images from your Oxen history\. 1 could not be downloaded: .*server error \(500 .*It will be tried again at the next import\.$/,
    )
    expect(libraryCounts().images).toBe(11)
    expect(world.library.imageForGeneration(broken.generation_id)).toBeNull()
    // The watermark stays at the failed generation, so the next import walks down to it.
    expect(readState()?.watermark).toBe(broken.enqueued_at * 1000)

    sim.setFaults({})
    const downloads = sim.stats().downloads
    const second = await importGenerationHistory(deps, run().control)
    expect(second.message).toMatch(/^Imported 1 image from your Oxen history[.;]/)
    expect(sim.stats().downloads - downloads).toBe(1)
    expect(world.library.imageForGeneration(broken.generation_id)).toMatchObject({ prompt: broken.prompt, modelId: broken.model_name })
    expect(libraryCounts()).toEqual({ images: 12, generations: 12 })
    expect(readState()?.watermark).toBe(Math.max(...seeded.map((g) => g.enqueued_at)) * 1000)
  })
})
