// The push, pull and import tasks of this session: each runs in the background, reports progress as a SyncTask
// event and can be cancelled. Starting one that is already running (same kind and target) answers the running one.
import { randomUUID } from 'node:crypto'
import type { SyncTask } from '../../../shared/sync'
import { toAppError } from '../errors'
import type { Logger } from '../log'

/** What a running task is given. */
export interface TaskControl {
  /** Aborted when the user cancels (or the app closes). */
  readonly signal: AbortSignal
  /** Files or generations handled so far, of `total` when known. */
  progress(done: number, total: number | null): void
  /** The repository's page, once known. */
  setUrl(url: string): void
}

/** What a finished task says it did. */
export interface TaskOutcome {
  message: string
}

export type TaskRun = (control: TaskControl) => Promise<TaskOutcome>

/** Progress events at most this often (the final state is always sent). */
const PROGRESS_EVERY_MS = 100
/** Finished tasks kept for listSyncTasks. */
const KEEP_FINISHED = 20

export function createSyncTasks(deps: { emit: (task: SyncTask) => void; log: Logger; now?: () => number }) {
  const now = deps.now ?? Date.now
  const tasks = new Map<string, { task: SyncTask; abort: AbortController; lastEmit: number }>()
  const runs = new Set<Promise<unknown>>()

  function update(id: string, patch: Partial<SyncTask>, force = true): SyncTask {
    const entry = tasks.get(id)!
    entry.task = { ...entry.task, ...patch }
    const t = now()
    if (force || t - entry.lastEmit >= PROGRESS_EVERY_MS) {
      entry.lastEmit = t
      deps.emit(entry.task)
    }
    return entry.task
  }

  function prune(): void {
    const finished = [...tasks.values()].filter((e) => e.task.state !== 'running')
    for (const e of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) tasks.delete(e.task.id)
  }

  return {
    start(kind: SyncTask['kind'], target: string, run: TaskRun): SyncTask {
      const running = [...tasks.values()].find((e) => e.task.kind === kind && e.task.target === target && e.task.state === 'running')
      if (running) return running.task
      const task: SyncTask = { id: randomUUID(), kind, target, state: 'running', done: 0, total: null, message: null, url: null, startedAt: now(), finishedAt: null }
      const abort = new AbortController()
      tasks.set(task.id, { task, abort, lastEmit: 0 })
      const control: TaskControl = {
        signal: abort.signal,
        progress: (done, total) => void update(task.id, { done, total }, false),
        setUrl: (url) => void update(task.id, { url }),
      }
      const settled = Promise.resolve().then(() => run(control)).then(
        (outcome) => update(task.id, { state: 'done', message: outcome.message, finishedAt: now() }),
        (error: unknown) => {
          if (abort.signal.aborted) return update(task.id, { state: 'cancelled', message: 'Cancelled.', finishedAt: now() })
          deps.log.warn(`${kind} ${target} failed`, { error })
          return update(task.id, { state: 'failed', message: toAppError(error).message, finishedAt: now() })
        },
      ).finally(() => {
        runs.delete(settled)
        prune()
      })
      runs.add(settled)
      deps.emit(task)
      return task
    },

    cancel(id: string): SyncTask | null {
      const entry = tasks.get(id)
      if (!entry) return null
      entry.abort.abort()
      return entry.task
    },

    list(): SyncTask[] {
      return [...tasks.values()].map((e) => e.task).sort((a, b) => b.startedAt - a.startedAt)
    },

    /** Stops everything still running (closing the app) and waits for it; journaled work resumes at the next start. */
    async stopAll(): Promise<void> {
      for (const e of tasks.values()) e.abort.abort()
      await Promise.allSettled([...runs])
    },
  }
}

export type SyncTasks = ReturnType<typeof createSyncTasks>
