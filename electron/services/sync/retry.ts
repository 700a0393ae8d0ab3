// Retries for the repository calls that may be repeated safely: reads, opening a workspace, adding a file to one
// (the same path replaces it). Never for a commit.
import { AppFailure } from '../errors'
import { backoffMs, OxenHttpFailure, retryAfterOf } from '../oxen/client'

export interface RetryTiming {
  attempts: number
  baseMs: number
  capMs: number
}

export const DEFAULT_RETRY: RetryTiming = { attempts: 4, baseMs: 500, capMs: 8000 }

/** A dropped or refused connection, a timeout, a 429 or a 5xx: worth another try. */
export function transient(error: unknown): boolean {
  if (error instanceof OxenHttpFailure) return error.status === 429 || error.status >= 500
  return error instanceof AppFailure && error.code === 'unreachable'
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const t = setTimeout(() => (signal.removeEventListener('abort', stop), resolve()), ms)
    const stop = () => (clearTimeout(t), reject(signal.reason))
    signal.addEventListener('abort', stop, { once: true })
  })

/** `call` until it succeeds, fails for good, or `timing.attempts` are spent (capped exponential backoff, full jitter). */
export async function withRetries<T>(call: () => Promise<T>, timing: RetryTiming, signal: AbortSignal, onRetry?: (error: unknown) => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      if (signal.aborted || attempt >= timing.attempts - 1 || !transient(error)) throw error
      onRetry?.(error)
      await sleep(Math.min(retryAfterOf(error) ?? backoffMs(attempt, timing.baseMs, timing.capMs), 60_000), signal)
    }
  }
}
