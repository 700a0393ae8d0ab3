// The actions on a job, as menu items: the same list in a job card's "Job actions" menu, its context menu, and the
// header of its group in Results.
import { ClipboardCopy, Columns2, CopyPlus, ListX, MoreHorizontal, RotateCw, Sparkles, X, type LucideIcon } from 'lucide-react'
import { DropdownMenu, type ContextMenu } from 'radix-ui'
import type { ReactNode } from 'react'
import type { Job } from '../../../../shared/domain'
import { canCompare, useCompare } from '../../store/compare'
import { copyPrompt, reuseJob, useJobs } from '../../store/jobs'
import { resultImage, useResultImages } from '../../store/resultImages'
import { Hint } from '../Hint'

type MenuKit = typeof ContextMenu | typeof DropdownMenu

function Item({ kit: Kit, icon: Icon, children, onSelect, danger }: { kit: MenuKit; icon: LucideIcon; children: ReactNode; onSelect: () => void; danger?: boolean }) {
  return (
    <Kit.Item className={danger ? 'menu-item menu-item-danger' : 'menu-item'} onSelect={onSelect}>
      <Icon className="menu-icon" aria-hidden size={14} strokeWidth={1.75} />
      <span className="menu-label">{children}</span>
    </Kit.Item>
  )
}

export function JobMenuItems({ kit: Kit, job }: { kit: MenuKit; job: Job }) {
  const running = job.status === 'running'
  const failed = job.status !== 'cancelled' && job.images.some((i) => i.state === 'failed')
  const { retryFailed, cancel, hide } = useJobs.getState()
  // Its saved images as the library has them: 2–4 of them can be compared side by side.
  const byId = useResultImages((s) => s.byId)
  const saved = job.images.flatMap((i) => (i.imageId ? (resultImage(i.imageId, byId) ?? []) : []))
  return (
    <>
      {canCompare(saved.length) && (
        <Item kit={Kit} icon={Columns2} onSelect={() => useCompare.getState().open(saved)}>
          Compare its {saved.length} images
        </Item>
      )}
      <Item kit={Kit} icon={Sparkles} onSelect={() => void reuseJob(job)}>
        Reuse settings
      </Item>
      <Item kit={Kit} icon={ClipboardCopy} onSelect={() => void copyPrompt(job)}>
        Copy prompt
      </Item>
      <Item kit={Kit} icon={CopyPlus} onSelect={() => useJobs.setState({ duplicating: job })}>
        Duplicate…
      </Item>
      {(failed || running) && <Kit.Separator className="menu-separator" />}
      {failed && !running && (
        <Item kit={Kit} icon={RotateCw} onSelect={() => void retryFailed(job.id)}>
          Retry failed
        </Item>
      )}
      {running && (
        <Item kit={Kit} icon={X} onSelect={() => void cancel(job.id)}>
          Cancel job
        </Item>
      )}
      {!running && (
        <>
          <Kit.Separator className="menu-separator" />
          <Item kit={Kit} icon={ListX} onSelect={() => void hide([job.id])}>
            Remove from list
          </Item>
        </>
      )}
    </>
  )
}

/** A job's "Job actions" button and its menu (on a job card and a Results group). */
export function JobActionsButton({ job, className }: { job: Job; className: string }) {
  return (
    <DropdownMenu.Root modal={false}>
      <Hint content="Job actions">
        <DropdownMenu.Trigger asChild>
          <button type="button" className={`icon-btn icon-btn-sm ${className}`} aria-label="Job actions">
            <MoreHorizontal aria-hidden size={14} strokeWidth={1.75} />
          </button>
        </DropdownMenu.Trigger>
      </Hint>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu" align="end" sideOffset={4} collisionPadding={8}>
          <JobMenuItems kit={DropdownMenu} job={job} />
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  )
}
