// The jobs main lists (running ones and the recent finished ones, across restarts), by id. Each update from main
// carries the whole job, so it simply replaces. Also what the Jobs list and Results share about them: which are
// collapsed, which one to bring into view, and the Duplicate confirmation.
import { create } from 'zustand'
import type { Job } from '../../../shared/domain'
import { api } from '../bridge'
import { settle } from '../lib/request'
import { copyText, reuseRecipe } from './libraryActions'
import { useNavigation } from './navigation'
import { notifyJobEnded } from './notify'
import { toast } from './toasts'

interface JobsState {
  byId: Record<string, Job>
  /** When this window saw each job end, for jobs main has no end time for (journaled before it kept one). */
  finishedAt: Record<string, number>
  /** Results groups the user folded away. */
  collapsed: Record<string, boolean>
  /** The job to bring into view (a notification was clicked); `at` makes a second click on the same job count. */
  focus: { jobId: string; at: number } | null
  /** The job whose Duplicate waits for the user to confirm the cost. */
  duplicating: Job | null
  receive: (job: Job) => void
  load: () => Promise<void>
  cancel: (jobId: string) => Promise<void>
  /** Sends the job's unconfirmed images again (the user has accepted they may be billed twice). */
  retryUnconfirmed: (jobId: string) => Promise<void>
  /** Tries the job's failed images again (the ones Oxen did not make are billed again). */
  retryFailed: (jobId: string) => Promise<void>
  /** Sends the same request again as a new job (after the user confirmed the cost). */
  duplicate: (jobId: string) => Promise<void>
  /** Takes finished jobs off the list and Results; their images stay in the library. */
  hide: (jobIds: string[]) => Promise<void>
  clearFinished: () => Promise<void>
  toggleCollapsed: (jobId: string) => void
  /** Goes to Create and brings the job into view (unfolded) in Results and the Jobs list. */
  show: (jobId: string) => void
}

export const isRunning = (job: Job) => job.status === 'running'

/** How long a job brought into view stays marked (its highlight fades over this long). */
const FOCUS_MS = 2500

export const useJobs = create<JobsState>()((set, get) => ({
  byId: {},
  finishedAt: {},
  collapsed: {},
  focus: null,
  duplicating: null,
  receive: (job) => {
    const previous = get().byId[job.id]
    const justEnded = previous !== undefined && isRunning(previous) && !isRunning(job)
    set((s) => ({
      byId: { ...s.byId, [job.id]: job },
      finishedAt: justEnded && job.finishedAt === undefined ? { ...s.finishedAt, [job.id]: Date.now() } : s.finishedAt,
    }))
    if (justEnded) notifyJobEnded(job, () => get().show(job.id))
  },
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
  duplicate: async (jobId) => {
    const result = await settle(api.duplicateJob({ jobId }))
    if (!result.ok) toast({ tone: 'danger', title: 'Could not duplicate the job', message: result.error.message })
  },
  hide: async (jobIds) => {
    const result = await settle(api.hideJobs({ jobIds }))
    if (!result.ok) {
      toast({ tone: 'danger', title: 'Could not remove the job from the list', message: result.error.message })
      return
    }
    forget(result.value.jobIds)
  },
  clearFinished: async () => {
    const result = await settle(api.clearFinishedJobs())
    if (!result.ok) {
      toast({ tone: 'danger', title: 'Could not clear the finished jobs', message: result.error.message })
      return
    }
    forget(result.value.jobIds)
    const n = result.value.jobIds.length
    if (n > 0) toast({ tone: 'info', title: n === 1 ? 'Cleared 1 finished job' : `Cleared ${n} finished jobs`, message: 'Their images are still in your library.' })
  },
  toggleCollapsed: (jobId) => set((s) => ({ collapsed: { ...s.collapsed, [jobId]: !s.collapsed[jobId] } })),
  show: (jobId) => {
    useNavigation.getState().go('create')
    const at = Date.now()
    set((s) => ({ focus: { jobId, at }, collapsed: { ...s.collapsed, [jobId]: false } }))
    // Shown once: coming back to Create later does not scroll to it again.
    window.setTimeout(() => {
      if (get().focus?.at === at) set({ focus: null })
    }, FOCUS_MS)
  },
}))

function forget(jobIds: readonly string[]): void {
  useJobs.setState((s) => {
    const byId = { ...s.byId }
    for (const id of jobIds) delete byId[id]
    return { byId }
  })
}

export function newestFirst(byId: Record<string, Job>): Job[] {
  return Object.values(byId).sort((a, b) => b.createdAt - a.createdAt)
}

/** When the job ended: main's record, else when this window saw it end. */
export function endOf(job: Job, seen: number | undefined): number | undefined {
  return job.finishedAt ?? seen
}

/** Fills the composer with the job's model, prompt, parameters and references (the library's one way to reuse). */
export function reuseJob(job: Job): Promise<void> {
  return reuseRecipe(
    {
      modelId: job.modelId,
      prompt: job.prompt,
      params: job.params,
      referenceCount: job.references.length,
      references: async () => {
        if (job.references.length === 0) return []
        const result = await settle(api.getReferences({ hashes: job.references }))
        return result.ok ? result.value : result.error.message
      },
    },
    'all',
  )
}

export function copyPrompt(job: Job): Promise<void> {
  return copyText(job.prompt, 'Prompt')
}
