// This session's jobs, by id. Each update from main carries the whole job, so it simply replaces.
import { create } from 'zustand'
import type { Job } from '../../../shared/domain'
import { api } from '../bridge'
import { settle } from '../lib/request'
import { toast } from './toasts'

interface JobsState {
  byId: Record<string, Job>
  /** When this window saw each job end (jobs carry no end time); drives the elapsed clock. */
  finishedAt: Record<string, number>
  receive: (job: Job) => void
  load: () => Promise<void>
  cancel: (jobId: string) => Promise<void>
  /** Sends the job's unconfirmed images again (the user has accepted they may be billed twice). */
  retryUnconfirmed: (jobId: string) => Promise<void>
  /** Tries the job's failed images again (the ones Oxen did not make are billed again). */
  retryFailed: (jobId: string) => Promise<void>
}

export const isRunning = (job: Job) => job.status === 'running'

export const useJobs = create<JobsState>()((set, get) => ({
  byId: {},
  finishedAt: {},
  receive: (job) =>
    set((s) => {
      const previous = s.byId[job.id]
      const justEnded = previous !== undefined && isRunning(previous) && !isRunning(job)
      return {
        byId: { ...s.byId, [job.id]: job },
        finishedAt: justEnded ? { ...s.finishedAt, [job.id]: Date.now() } : s.finishedAt,
      }
    }),
  load: async () => {
    const result = await settle(api.listJobs())
    if (!result.ok) return
    // Updates that arrived while listing are newer than the list: keep them.
    set((s) => {
      const byId = { ...s.byId }
      for (const job of result.value) byId[job.id] ??= job
      return { byId }
    })
  },
  cancel: async (jobId) => {
    const result = await settle(api.cancelJob({ jobId }))
    if (result.ok) get().receive(result.value)
    else toast({ tone: 'danger', title: 'Could not cancel the job', message: result.error.message })
  },
  retryUnconfirmed: async (jobId) => {
    const result = await settle(api.retryUnconfirmed({ jobId }))
    if (result.ok) get().receive(result.value)
    else toast({ tone: 'danger', title: 'Could not send the images again', message: result.error.message })
  },
  retryFailed: async (jobId) => {
    const result = await settle(api.retryFailed({ jobId }))
    if (result.ok) get().receive(result.value)
    else toast({ tone: 'danger', title: 'Could not retry the failed images', message: result.error.message })
  },
}))

export function newestFirst(byId: Record<string, Job>): Job[] {
  return Object.values(byId).sort((a, b) => b.createdAt - a.createdAt)
}
