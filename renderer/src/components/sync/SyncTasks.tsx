// Transfers with Oxen (push, pull, history import) while they run and for a while after: what and where, how far
// along ("12 of 40"), Cancel, then what happened, a link to the repository's page and Dismiss. Shown quietly at the
// bottom of the library's sidebar; Settings shows the import's own card beside its button.
import { Ban, CircleAlert, CircleCheck, ExternalLink, LayoutGrid, Loader2, X } from 'lucide-react'
import clsx from 'clsx'
import { useShallow } from 'zustand/react/shallow'
import type { SyncTask } from '../../../../shared/sync'
import { useLibrary } from '../../store/library'
import { useNavigation } from '../../store/navigation'
import { sortedTasks, useSync } from '../../store/sync'
import { IconButton } from '../IconButton'
import { PullDialog } from './PullDialog'
import { PushDialog } from './PushDialog'

const TITLES: Record<SyncTask['kind'], Record<SyncTask['state'], string>> = {
  push: { running: 'Pushing to', done: 'Pushed to', failed: 'Push failed', cancelled: 'Push cancelled' },
  pull: { running: 'Pulling from', done: 'Pulled from', failed: 'Pull failed', cancelled: 'Pull cancelled' },
  import: { running: 'Importing history', done: 'History imported', failed: 'History import failed', cancelled: 'History import cancelled' },
}

const STATE_ICONS = { running: Loader2, done: CircleCheck, failed: CircleAlert, cancelled: Ban }

/** "push to ns/repo", "pull from ns/repo", "history import": what Cancel and Dismiss name. */
function taskName(task: SyncTask): string {
  if (task.kind === 'push') return `push to ${task.target}`
  if (task.kind === 'pull') return `pull from ${task.target}`
  return 'history import'
}

function countText(task: SyncTask): string {
  if (task.total !== null) return `${task.done.toLocaleString()} of ${task.total.toLocaleString()}`
  return task.done > 0 ? `${task.done.toLocaleString()} so far` : 'Starting…'
}

/** A finished pull's board (named after the repository; board names compare without case), once the sidebar knows it. */
function usePulledBoard(task: SyncTask) {
  return useLibrary((s) => (task.kind === 'pull' && task.state === 'done' ? s.facets?.boards.find((b) => b.name.toLowerCase() === task.target.toLowerCase()) : undefined))
}

export function SyncTaskCard({ task }: { task: SyncTask }) {
  const { cancel, dismiss } = useSync(useShallow((s) => ({ cancel: s.cancel, dismiss: s.dismiss })))
  const board = usePulledBoard(task)
  const running = task.state === 'running'
  const StateIcon = STATE_ICONS[task.state]
  const name = taskName(task)
  const share = task.total ? Math.min(1, task.done / task.total) : 0

  const showBoard = () => {
    if (!board) return
    useNavigation.getState().go('library')
    useLibrary.getState().setScope({ kind: 'board', boardId: board.id })
  }

  return (
    <li className={clsx('sync-task', `sync-task-${task.state}`)}>
      <div className="sync-task-head">
        <StateIcon className={clsx('sync-task-state', running && 'spin')} aria-hidden size={14} strokeWidth={2} />
        <div className="sync-task-what">
          <p className="sync-task-title">{TITLES[task.kind][task.state]}</p>
          {task.kind !== 'import' && (
            <p className="sync-task-target mono" title={task.target}>
              <bdi>{task.target}</bdi>
            </p>
          )}
        </div>
        {running ? (
          <IconButton label={`Cancel ${name}`} icon={X} size="sm" className="sync-task-close" onClick={() => void cancel(task.id)} />
        ) : (
          <IconButton label={`Dismiss ${name}`} icon={X} size="sm" className="sync-task-close" onClick={() => dismiss(task.id)} />
        )}
      </div>
      {running && (
        <div className="sync-task-progress">
          <div
            className={clsx('sync-bar', task.total === null && 'is-indeterminate')}
            role="progressbar"
            aria-label={`Progress of the ${name}`}
            aria-valuemin={0}
            aria-valuemax={task.total ?? undefined}
            aria-valuenow={task.total !== null ? task.done : undefined}
            aria-valuetext={countText(task)}
          >
            <span style={task.total !== null ? { width: `${Math.round(share * 100)}%` } : undefined} />
          </div>
          <span className="sync-task-count tabular" aria-hidden>
            {countText(task)}
          </span>
        </div>
      )}
      {/* Present from the start, so the final message is announced when it arrives. */}
      <div role="status" className="sync-task-status">
        {!running && task.message && <p className={clsx('sync-task-message', task.state === 'failed' && 'is-failed')}>{task.message}</p>}
      </div>
      {!running && (task.url || board) && (
        <div className="sync-task-actions">
          {board && (
            <button type="button" className="btn btn-ghost btn-sm" aria-label={`Show board ${board.name}`} onClick={showBoard}>
              <LayoutGrid aria-hidden size={13} strokeWidth={1.75} />
              Show board
            </button>
          )}
          {task.url && (
            <a className="btn btn-ghost btn-sm sync-task-link" href={task.url} target="_blank" rel="noreferrer" aria-label={`Open on Oxen: ${task.target}`}>
              <ExternalLink aria-hidden size={13} strokeWidth={1.75} />
              Open on Oxen
            </a>
          )}
        </div>
      )}
    </li>
  )
}

/** Finished tasks shown beside the running ones. */
const KEEP_FINISHED = 3

/** The transfers of this session, newest first: every running one and the last few that ended. */
export function SyncTasks({ kinds }: { kinds?: readonly SyncTask['kind'][] }) {
  const tasks = useSync(useShallow((s) => sortedTasks(s.tasks)))
  const mine = kinds ? tasks.filter((t) => kinds.includes(t.kind)) : tasks
  const running = mine.filter((t) => t.state === 'running')
  const ended = mine.filter((t) => t.state !== 'running').slice(0, KEEP_FINISHED)
  const shown = [...running, ...ended]
  if (shown.length === 0) return null
  return (
    <section className="sync-tasks" aria-label="Transfers with Oxen">
      <ul className="sync-task-list">
        {shown.map((task) => (
          <SyncTaskCard key={task.id} task={task} />
        ))}
      </ul>
    </section>
  )
}

/** The push and pull dialogs, wherever they are opened from (library, results, sidebar). */
export function SyncDialogs() {
  const open = useSync((s) => s.dialog !== null)
  // Mounted while open only: nothing of theirs renders (or runs effects) the rest of the time.
  if (!open) return null
  return (
    <>
      <PushDialog />
      <PullDialog />
    </>
  )
}
