// Push and pull (issue 13) as the task runner (tasks.ts) runs them: `push`, `pull`, and the pushes a crash or a
// dropped connection left journaled (`interrupted`, resumed at the next start).
import { LibraryQuerySchema } from '../../../shared/domain'
import type { PullRequest, PushRequest, RepoRef } from '../../../shared/sync'
import { AppFailure } from '../errors'
import { currentAccount } from '../oxen/repos'
import type { TaskControl, TaskOutcome } from './tasks'
import type { RepoSyncDeps } from './deps'
import { runPull } from './pull'
import { runPush } from './push'
import { listJournals, loadJournal, newJournal, saveJournal, type PushJournal } from './push-journal'

export type { RepoSyncDeps } from './deps'

/** An interrupted push: its task's target (`ns/repo`) and how to go on with it. */
export interface InterruptedPush {
  target: string
  resume(control: TaskControl): Promise<TaskOutcome>
}

const BOARD_PAGE = 500
const sameSet = (a: readonly string[], b: readonly string[]) => {
  const x = new Set(a)
  const y = new Set(b)
  return x.size === y.size && [...x].every((id) => y.has(id))
}

export function createRepoSync(deps: RepoSyncDeps) {
  /** Pushes running now, by `ns/repo`: one at a time per repository (they share its journal). */
  const running = new Set<string>()
  let closing = false

  async function namespaceOf(repo: RepoRef): Promise<string> {
    return repo.namespace ?? (await currentAccount(deps.client())).namespace
  }

  /** Every image on the board, oldest first (not the trash). */
  async function boardImageIds(boardId: string): Promise<string[]> {
    const { boards } = await deps.queries.facets()
    if (!boards.some((b) => b.id === boardId)) throw new AppFailure('not-found', 'That board no longer exists, so nothing was pushed.')
    const ids: string[] = []
    let cursor: string | null = null
    do {
      const page = await deps.queries.search(
        LibraryQuerySchema.parse({ filters: { boardId }, sort: 'oldest', limit: BOARD_PAGE, ...(cursor ? { cursor } : {}) }),
      )
      ids.push(...page.items.map((i) => i.id))
      cursor = page.nextCursor
    } while (cursor)
    if (ids.length === 0) throw new AppFailure('invalid-input', 'That board has no images, so there is nothing to push.')
    return ids
  }

  async function exclusive(target: string, run: () => Promise<TaskOutcome>): Promise<TaskOutcome> {
    if (running.has(target)) throw new AppFailure('invalid-input', `A push to ${target} is already running. Wait for it to finish.`)
    running.add(target)
    try {
      return await run()
    } finally {
      running.delete(target)
    }
  }

  async function resume(journal: PushJournal, control: TaskControl): Promise<TaskOutcome> {
    const target = `${journal.namespace}/${journal.repo}`
    return exclusive(target, async () => {
      const account = await currentAccount(deps.client())
      return runPush(deps, journal, account, control, () => closing)
    })
  }

  return {
    /** `ns/repo` for a request (the account's namespace when it names none): the task's target. */
    async target(repo: RepoRef): Promise<string> {
      return `${await namespaceOf(repo)}/${repo.name}`
    },

    /**
     * Sends the board or selection: only what the repository lacks, in one commit. A push to a repository with an
     * interrupted push of the same images goes on with it (same workspace: staged files are not sent again).
     */
    async push(req: PushRequest, control: TaskControl): Promise<TaskOutcome> {
      const account = await currentAccount(deps.client())
      const namespace = req.repo.namespace ?? account.namespace
      const target = `${namespace}/${req.repo.name}`
      return exclusive(target, async () => {
        const imageIds = 'boardId' in req.source ? await boardImageIds(req.source.boardId) : req.source.imageIds
        const earlier = await loadJournal(deps.stateDir, namespace, req.repo.name)
        const fields = { namespace, repo: req.repo.name, isPublic: req.isPublic, message: req.message, imageIds }
        const journal = earlier && sameSet(earlier.imageIds, imageIds) ? { ...earlier, ...fields } : newJournal(fields)
        await saveJournal(deps.stateDir, journal)
        return runPush(deps, journal, account, control, () => closing)
      })
    },

    /** Brings the repository's new images into the library, onto the board `ns/repo`. */
    async pull(req: PullRequest, control: TaskControl): Promise<TaskOutcome> {
      const namespace = await namespaceOf(req.repo)
      return runPull(deps, { namespace, name: req.repo.name }, control)
    },

    /** Pushes left journaled by a crash, a dropped connection or a 5xx on commit, oldest first: resume each as a task at start. */
    interrupted(): InterruptedPush[] {
      return listJournals(deps.stateDir).map((journal) => ({
        target: `${journal.namespace}/${journal.repo}`,
        resume: (control: TaskControl) => resume(journal, control),
      }))
    },

    /** The app is closing: pushes aborted from now on keep their journals (resumed at the next start) instead of being cancelled. */
    closing(): void {
      closing = true
    },
  }
}

export type RepoSync = ReturnType<typeof createRepoSync>
