// Oxen repositories and history (issue 13): the push, pull and import tasks main runs, as it reports them
// (listSyncTasks at start, then onSyncTask), which sync dialog is open, and the account's namespace.
// Requests that main refuses answer their AppError, for the dialog to show beside the field it concerns.
import { create } from 'zustand'
import type { AppError, Result } from '../../../shared/contract'
import type { PushRequest, RepoRef, SyncTask } from '../../../shared/sync'
import { api } from '../bridge'
import { coalesce } from '../lib/coalesce'
import { settle } from '../lib/request'
import { reloadLibrary, useLibrary } from './library'

/** What is pushed: a board (every image on it) or images picked in the library. */
export type PushSource = { kind: 'board'; boardId: string; name: string; count?: number } | { kind: 'images'; imageIds: string[]; name: string | null }

export type SyncDialog = { kind: 'push'; source: PushSource } | { kind: 'pull' }

interface SyncState {
  /** By id; dismissed finished tasks are dropped. */
  tasks: Record<string, SyncTask>
  /** The account's namespace on Oxen (where a push creates its repository), once asked. */
  namespace: string | null
  accountError: AppError | null
  dialog: SyncDialog | null

  load: () => Promise<void>
  receive: (task: SyncTask) => void
  loadAccount: () => Promise<void>
  /** Each resolves to the AppError that refused the task, or null when it started. */
  push: (request: PushRequest) => Promise<AppError | null>
  pull: (repo: RepoRef) => Promise<AppError | null>
  importHistory: () => Promise<AppError | null>
  cancel: (taskId: string) => Promise<AppError | null>
  dismiss: (taskId: string) => void

  openPush: (source: PushSource) => void
  openPull: () => void
  closeDialog: () => void
}

const isRunning = (task: SyncTask) => task.state === 'running'

export const useSync = create<SyncState>()((set, get) => {
  /** A task that started (or was already running: main answers that one). */
  const started = (result: Result<SyncTask>): AppError | null => {
    if (!result.ok) return result.error
    get().receive(result.value)
    return null
  }

  return {
    tasks: {},
    namespace: null,
    accountError: null,
    dialog: null,

    load: async () => {
      const result = await settle(api.listSyncTasks())
      if (!result.ok) return
      // Events that arrived while the list was on its way are newer than it.
      set((s) => ({ tasks: { ...Object.fromEntries(result.value.map((t) => [t.id, t])), ...s.tasks } }))
    },

    receive: (task) => {
      const before = get().tasks[task.id]
      set((s) => ({ tasks: { ...s.tasks, [task.id]: task } }))
      // A pull or an import that ended has added images and perhaps a board. Main says so through onLibraryChanged
      // as it goes; one more read at the end makes sure the grid and the sidebar show the whole result.
      if (task.kind !== 'push' && !isRunning(task) && (!before || isRunning(before))) {
        void reloadLibrary()
        void useLibrary.getState().loadFacets()
      }
    },

    loadAccount: coalesce(async () => {
      const result = await settle(api.getOxenAccount())
      set(result.ok ? { namespace: result.value.namespace, accountError: null } : { accountError: result.error })
    }),

    push: async (request) => started(await settle(api.pushToRepo(request))),
    pull: async (repo) => started(await settle(api.pullFromRepo({ repo }))),
    importHistory: async () => started(await settle(api.importHistory())),

    cancel: async (taskId) => {
      const result = await settle(api.cancelSync({ taskId }))
      // The cancelled state itself comes as an event once the task has stopped.
      return result.ok ? null : result.error
    },

    dismiss: (taskId) =>
      set((s) => {
        const task = s.tasks[taskId]
        if (!task || isRunning(task)) return {}
        const tasks = { ...s.tasks }
        delete tasks[taskId]
        return { tasks }
      }),

    openPush: (source) => set({ dialog: { kind: 'push', source } }),
    openPull: () => set({ dialog: { kind: 'pull' } }),
    closeDialog: () => set({ dialog: null }),
  }
})

/** Newest first. */
export function sortedTasks(tasks: Record<string, SyncTask>): SyncTask[] {
  return Object.values(tasks).sort((a, b) => b.startedAt - a.startedAt)
}

// ---------- names ----------
const OXEN_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/

/** A repository name from a board's: "Moodboard March" → "moodboard-march" (accents dropped, at most 100 characters). */
export function slugify(name: string, fallback = 'atelier-images'): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 100)
    .replace(/[-_.]+$/, '')
  return OXEN_NAME.test(slug) ? slug : fallback
}

/**
 * What the user typed for a repository: "repo" (their own namespace), "ns/repo", or a repository page's address
 * (https://www.oxen.ai/ns/repo, also with a path after it). Null when it is none of these; the schema then says why.
 */
export function parseRepoRef(text: string): RepoRef | null {
  let value = text.trim()
  if (!value) return null
  const url = /^(?:https?:\/\/)?(?:www\.|hub\.)?oxen\.ai\/(.*)$/i.exec(value)
  if (url) value = url[1]!.replace(/[?#].*$/, '')
  const parts = value.replace(/^\/+|\/+$/g, '').split('/')
  // A page deeper in the repository (…/ns/repo/dir/main/images) still names it by its first two parts.
  if (url && parts.length >= 2) return { namespace: parts[0]!, name: parts[1]! }
  if (parts.length === 1) return { name: parts[0]! }
  if (parts.length === 2) return { namespace: parts[0]!, name: parts[1]! }
  return null
}

/** "ns/repo" for the strip and the accessible names. */
export function repoLabel(repo: RepoRef, ownNamespace: string | null): string {
  const ns = repo.namespace ?? ownNamespace
  return ns ? `${ns}/${repo.name}` : repo.name
}

/**
 * Which field a refusal from main concerns: describeIssues prefixes each zod message with its path
 * ("repo.name: A repository name must…"). The message comes back without the prefix.
 */
export function fieldOfError(error: AppError): { field: 'repo' | 'message' | null; message: string } {
  const match = /^([a-zA-Z.]+): (.*)$/s.exec(error.message)
  if (error.code !== 'invalid-input' || !match) return { field: null, message: error.message }
  const path = match[1]!
  if (path.startsWith('repo')) return { field: 'repo', message: match[2]! }
  if (path === 'message') return { field: 'message', message: match[2]! }
  return { field: null, message: match[2]! }
}
