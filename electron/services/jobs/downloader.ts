// Brings a finished image into the library: streams its result URL to a temp file (holding one of the download
// slots), then hands the file and its recipe to the library, and records what Oxen charged. A failed try
// (connection, size, undecodable file, expired link) is retried after a backoff or Retry-After with a fresh URL
// from the generation record; while Oxen cannot be reached at all it waits for it without using up tries.
import type { LimitFunction } from 'p-limit'
import type { LibraryImage } from '../../../shared/domain'
import { AppFailure, toAppError } from '../errors'
import type { ImageRecipe, Library } from '../library/library'
import type { Logger } from '../log'
import { connectionNeverOpened, OxenHttpFailure, retryAfterOf, type OxenClient } from '../oxen/client'
import { OFFLINE_CAP_MS, type Waits } from './waits'

/** What the jobs room uses of the library. */
export type ImageSink = Pick<Library, 'saveImage' | 'imageForGeneration' | 'tempFilePath' | 'sweepTemp' | 'setImageCost'>

export interface DownloaderDeps {
  client: () => OxenClient
  library: ImageSink
  waits: Waits
  /** The download slots (p-limit); their number is read from the settings before each download. */
  slots: LimitFunction
  maxConcurrent: () => number
  /** Tries per image before it is marked failed (Oxen unreachable does not use one up). */
  attempts: number
  readTimeoutMs: number
  log: Logger
}

export class Downloader {
  constructor(private readonly deps: DownloaderDeps) {}

  /** Resolves with the saved image; rejects with a plain sentence; resolves null when the engine stopped. */
  async fetch(generationId: string, url: string | null, recipe: ImageRecipe, onProgress: (fraction: number) => void): Promise<LibraryImage | null> {
    const { waits, library } = this.deps
    let lastError: unknown
    let saving = false
    let currentUrl = url
    for (let attempt = 0, offline = 0; attempt < this.deps.attempts && !waits.stopped; ) {
      if (attempt > 0 || offline > 0) {
        const offlineNow = isUnreachable(lastError)
        const delay = offlineNow ? waits.backoff(offline - 1, OFFLINE_CAP_MS) : (retryAfterOf(lastError) ?? waits.backoff(attempt, waits.baseMs * 4))
        await waits.sleep(delay, { untilOxen: offlineNow })
        // Result URLs expire: read the generation again for a fresh one (unreadable now: the old URL is tried).
        currentUrl =
          (
            await this.deps
              .client()
              .getGeneration(generationId, waits.signal)
              .catch((error: unknown) => (this.deps.log.debug('a fresh result URL could not be read', { generationId, error }), null))
          )?.resultUrl ?? currentUrl
      }
      if (waits.stopped) return null
      saving = false
      try {
        const temp = await this.download(currentUrl, onProgress)
        if (!temp) return null
        saving = true // from here a failure is the file's, not the connection's
        const saved = await library.saveImage({ tempPath: temp, recipe })
        const cost = await this.recordCost(saved.id, generationId) // known by the time the image shows as saved
        return cost ? { ...saved, cost } : saved
      } catch (error) {
        lastError = error
        if (isUnreachable(error) && !saving) offline++
        else attempt++
        this.deps.log.debug('a download try failed', { generationId, attempt, offline, error })
      }
    }
    if (waits.stopped) return null
    throw new AppFailure('oxen-error', downloadFailure(lastError, saving))
  }

  /** The network part, in a download slot: the file in .tmp, fully written, or null when stopped. */
  private download(url: string | null, onProgress: (fraction: number) => void): Promise<string | null> {
    const { slots, library, waits } = this.deps
    slots.concurrency = this.deps.maxConcurrent()
    return slots(async () => {
      if (waits.stopped) return null
      if (!url) throw new AppFailure('oxen-error', 'Oxen did not give a download link for it.')
      // The library reads the format from the bytes; the temp name's extension does not matter.
      const temp = library.tempFilePath('download')
      await this.deps.client().download(url, temp, {
        signal: waits.signal,
        readTimeoutMs: this.deps.readTimeoutMs,
        onProgress: (received, total) => {
          if (total) onProgress(Math.min(1, received / total))
        },
      })
      return waits.stopped ? null : temp
    })
  }

  private async recordCost(imageId: string, generationId: string): Promise<string | null> {
    try {
      const cost = await this.deps.client().getCost(generationId, this.deps.waits.signal)
      if (cost === null || this.deps.waits.stopped) return null
      this.deps.library.setImageCost(imageId, cost)
      return cost
    } catch (error) {
      // The cost is informative; the image is what matters.
      this.deps.log.warn('the cost of a saved image could not be read', { imageId, generationId, error })
      return null
    }
  }
}

/** No connection could be opened at all: Oxen (or the network) is away, the link itself is not at fault. */
function isUnreachable(error: unknown): boolean {
  return error instanceof AppFailure && error.code === 'unreachable' && connectionNeverOpened(error)
}

/** The message of an image that was made but could not be brought into the library. */
function downloadFailure(error: unknown, whileSaving: boolean): string {
  if (error instanceof OxenHttpFailure && error.status === 403) {
    return 'The image was made, but Oxen refused its download link as expired, also the fresh links Atelier asked for. The image should still be in your Oxen account.'
  }
  const { message } = toAppError(error)
  // The library's own sentence (e.g. an undecodable file) already says what happened and what to do.
  return whileSaving ? message : `The image was made but could not be downloaded: ${message}`
}
