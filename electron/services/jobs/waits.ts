// The jobs room's one clock: every backoff sleeps here, so stopping the engine ends every wait at once, and a sign
// that Oxen answers again (the event stream opened, a request succeeded) cuts short the waits for it.
import { backoffMs } from '../oxen/client'

/** Longest wait honoured from a Retry-After header (ms). */
export const MAX_RETRY_AFTER_MS = 60_000
/** Longest backoff while Oxen cannot be reached at all (ms): polls and sends try again at least this often. */
export const OFFLINE_CAP_MS = 30_000

export class Waits {
  private readonly lifetime = new AbortController()
  private readonly forOxen = new Set<() => void>()

  constructor(readonly baseMs: number) {}

  get signal(): AbortSignal {
    return this.lifetime.signal
  }

  get stopped(): boolean {
    return this.lifetime.signal.aborted
  }

  /** Capped, jittered backoff for the n-th retry (from 0). */
  backoff(attempt: number, capMs: number): number {
    return backoffMs(attempt, this.baseMs, capMs)
  }

  /** Sleeps `ms` (at most MAX_RETRY_AFTER_MS); ends early when stopped or, with `untilOxen`, when Oxen answers again. */
  sleep(ms: number, opts: { untilOxen?: boolean } = {}): Promise<void> {
    const signal = this.lifetime.signal
    if (signal.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        this.forOxen.delete(done)
        resolve()
      }
      const timer = setTimeout(done, Math.min(ms, MAX_RETRY_AFTER_MS))
      timer.unref?.()
      signal.addEventListener('abort', done, { once: true })
      if (opts.untilOxen) this.forOxen.add(done)
    })
  }

  /** Oxen answered: everything waiting for it goes now. */
  oxenAnswered(): void {
    for (const wake of [...this.forOxen]) wake()
  }

  stop(): void {
    this.lifetime.abort()
  }
}
