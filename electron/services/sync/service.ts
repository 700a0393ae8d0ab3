// Beyond one machine (issue 13), as the app's requests see it: push, pull and the history import each start a task
// (tasks.ts) and answer it at once; pushes a crash or a dropped connection left journaled resume at start.
import { join } from 'node:path'
import type { PullRequest, PushRequest, SyncTask } from '../../../shared/sync'
import type { Checkpoint } from '../checkpoint'
import { AppFailure } from '../errors'
import type { Library } from '../library/library'
import type { LibraryQueries } from '../library/query'
import type { Logger } from '../log'
import type { OxenClient } from '../oxen/client'
import { currentAccount } from '../oxen/repos'
import { HISTORY_TARGET, importGenerationHistory } from './history-import'
import { createRepoSync } from './repo-sync'
import { createSyncTasks } from './tasks'

export interface SyncServiceDeps {
  client: () => OxenClient
  library: Library
  queries: LibraryQueries
  /** Push journals and the history import's state go in `<dataDir>/sync/`. */
  dataDir: string
  log: Logger
  onTask: (task: SyncTask) => void
  onLibraryChanged: (imageIds: string[]) => void
  checkpoint?: Checkpoint
}

export function createSyncService(deps: SyncServiceDeps) {
  const stateDir = join(deps.dataDir, 'sync')
  const log = deps.log
  const tasks = createSyncTasks({ emit: deps.onTask, log })
  const repos = createRepoSync({
    client: deps.client,
    library: deps.library,
    queries: deps.queries,
    stateDir,
    log: log.child('repos'),
    onLibraryChanged: deps.onLibraryChanged,
    ...(deps.checkpoint ? { checkpoint: deps.checkpoint } : {}),
  })

  return {
    account: async () => ({ namespace: (await currentAccount(deps.client())).namespace }),
    push: async (req: PushRequest) => tasks.start('push', await repos.target(req.repo), (control) => repos.push(req, control)),
    pull: async (req: PullRequest) => tasks.start('pull', await repos.target(req.repo), (control) => repos.pull(req, control)),
    importHistory: async () =>
      tasks.start('import', HISTORY_TARGET, (control) =>
        importGenerationHistory(
          { client: deps.client, library: deps.library, stateDir, log: log.child('history'), onLibraryChanged: deps.onLibraryChanged },
          control,
        ),
      ),
    cancel: async (taskId: string) => {
      const task = tasks.cancel(taskId)
      if (!task) throw new AppFailure('not-found', 'That task is no longer listed, so there was nothing to cancel.')
      return task
    },
    list: async () => tasks.list(),
    /** Goes on with every push left journaled, each as a task of its own. */
    resumeInterrupted(): void {
      for (const push of repos.interrupted()) tasks.start('push', push.target, push.resume)
    },
    /** Closing: running pushes keep their journals (resumed at the next start); waits for every task to stop. */
    async stop(): Promise<void> {
      repos.closing()
      await tasks.stopAll()
    },
  }
}
