// Pipeline benchmark (issue: "Generation that survives everything"): 15 images at 3K through the real
// engine (enqueue, SSE, streamed download, decode check, thumbnail, rename, index) versus its floor: a plain
// streamed download of the same bytes from the simulator plus the one decode each image needs anyway (its
// thumbnail, made as soon as its download ends), plus the RSS growth of this process (the engine's stand-in
// for Electron's main process) meanwhile. The simulator runs in its own process.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import sharp from 'sharp'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import type { Job } from '../shared/domain'
import { openJournal } from '../electron/services/jobs/journal'
import { createLogger } from '../electron/services/log'
import { JobEngine } from '../electron/services/jobs/engine'
import { thumbnail } from '../electron/services/library/image-files'
import { openLibrary } from '../electron/services/library/library'
import { deriveModelForm } from '../electron/services/oxen/model-form'
import { OxenClient } from '../electron/services/oxen/client'
import { startProcess } from '../test/processes'

const KEY = 'bench-key-pipeline'
const COUNT = 15
const CONCURRENCY = 4

function startSimulatorProcess(extra: string[]) {
  return startProcess(
    'tools/oxen-simulator/cli.ts',
    ['--port', '0', '--api-key', KEY, '--queued-ms', '0', '--processing-ms', '0', ...extra],
    /listening on (http:\/\/127\.0\.0\.1:\d+)/,
  )
}

async function runEngine(baseUrl: string, prompt: string) {
  const dir = mkdtempSync(join(tmpdir(), 'atelier-bench-'))
  const library = openLibrary({ dir, mediaUrl: (id, v) => `atelier://media/${id}/${v}` })
  const journal = openJournal(join(dir, 'journal.db'))
  const client = new OxenClient({ baseUrl, getKey: async () => KEY })
  const form = deriveModelForm('bytedance-seedream-5-lite', await client.getModel('bytedance-seedream-5-lite'))
  let resolveDone: (job: Job) => void
  const done = new Promise<Job>((r) => (resolveDone = r))
  const engine = new JobEngine({
    client: () => client,
    journal,
    library,
    log: createLogger({ level: 'warn', echo: (line) => console.error(line) }),
    modelForm: async () => form,
    maxConcurrentDownloads: () => CONCURRENCY,
    maxConcurrentJobs: () => 2,
    onJobUpdate: (job) => job.status !== 'running' && resolveDone(job),
    onLibraryChanged: () => undefined,
    pollIntervalMs: 500,
  })
  const started = performance.now()
  await engine.generate({ modelId: 'bytedance-seedream-5-lite', prompt, count: COUNT, params: { size: '3K', aspect_ratio: '1:1', output_format: 'png' } })
  const job = await done
  const ms = performance.now() - started
  if (job.status !== 'completed') throw new Error(`engine job ended ${job.status}: ${job.error}`)
  const ids = job.images.map((i) => i.generationId!)
  await engine.dispose()
  journal.close()
  library.close()
  return { ms, ids, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * The floor: the same bytes fetched plainly (fresh result URLs, streamed to disk with the same concurrency), each
 * decoded once into its thumbnail (the app's thumbnail pipeline) as soon as it is on disk, overlapping later downloads.
 */
async function plainDownload(baseUrl: string, ids: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'atelier-bench-plain-'))
  const auth = { Authorization: `Bearer ${KEY}` }
  const urls = await Promise.all(
    ids.map(async (id) => ((await (await fetch(`${baseUrl}/api/ai/queue/${id}`, { headers: auth })).json()) as { result_url: string }).result_url),
  )
  let bytes = 0
  const started = performance.now()
  let next = 0
  const thumbnails: Promise<unknown>[] = []
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < urls.length) {
        const i = next++
        const res = await fetch(urls[i]!, { headers: auth })
        bytes += Number(res.headers.get('content-length'))
        await pipeline(Readable.fromWeb(res.body as WebReadableStream), createWriteStream(join(dir, `${i}.png`)))
        thumbnails.push(thumbnail(sharp(join(dir, `${i}.png`)), 'image').toFile(join(dir, `${i}.webp`)))
      }
    }),
  )
  await Promise.all(thumbnails)
  const ms = performance.now() - started
  rmSync(dir, { recursive: true, force: true })
  return { ms, bytes }
}

/**
 * One scenario: `link` limits each result download to that many bytes per second (the simulator's
 * slow-download fault), standing in for a real network; `null` is unthrottled loopback.
 */
async function scenario(link: number | null): Promise<Record<string, string | number>> {
  const sim = await startSimulatorProcess(link ? ['--fault', `slow-download=${link}`] : [])
  try {
    const prompt = 'benchmark: a teal risograph poster of a lighthouse'
    // Warm-up: the simulator renders (and caches) the images, the engine's code paths are compiled.
    ;(await runEngine(sim.url, prompt)).cleanup()
    global.gc?.()
    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    const engine = await runEngine(sim.url, prompt)
    clearInterval(sampler)
    peak = Math.max(peak, process.memoryUsage().rss)
    const plain = await plainDownload(sim.url, engine.ids)
    engine.cleanup()
    return {
      'images (3K PNG)': COUNT,
      'bytes downloaded (MB)': +(plain.bytes / 1e6).toFixed(1),
      'engine: generate → 15 saved (ms)': Math.round(engine.ms),
      'floor: plain download + one decode into a thumbnail (ms)': Math.round(plain.ms),
      'engine / floor (goal ≤ 1.15)': +(engine.ms / plain.ms).toFixed(2),
      'RSS growth during the engine run (MB, goal ≤ 100)': +((peak - baseline) / 1e6).toFixed(1),
    }
  } finally {
    await sim.stop()
  }
}

export async function pipelineBenchmarks(): Promise<Record<string, Record<string, string | number>>> {
  return {
    'pipeline, loopback (unthrottled)': await scenario(null),
    'pipeline, 8 MB/s per download (a fast real link)': await scenario(8_000_000),
  }
}
