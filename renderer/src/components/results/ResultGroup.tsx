// One job in Results: a header (prompt, model, size, count, cost, how long; where it is while it runs; the job's
// menu), its problem in words with what to do, and its images at their true aspect ratio. Folds away; Remove from
// list takes it off (never out of the library).
import { memo, useEffect, useRef, useState } from 'react'
import { ChevronRight } from 'lucide-react'
import { ContextMenu } from 'radix-ui'
import clsx from 'clsx'
import type { Job, JobImage, LibraryImage } from '../../../../shared/domain'
import { summarizeParams } from '../../lib/format'
import { endOf, useJobs } from '../../store/jobs'
import { findModel, useModel } from '../../store/model'
import { resultImage } from '../../store/resultImages'
import { ImageMenuItems } from '../library/ImageMenuItems'
import { Notice } from '../jobs/JobNotice'
import { JobTime } from '../jobs/JobTime'
import { JobActionsButton, JobMenuItems } from '../jobs/JobMenuItems'
import { JobProblem } from '../jobs/JobProblem'
import { imagesCount, jobCost, jobPhase } from '../jobs/jobText'
import { tileAspect } from './aspect'
import { justify } from './justify'
import { ResultTile } from './ResultTile'

/** The rows' target height and the gap between tiles (px): --space-2, as in app.css. */
const TILE_HEIGHT = 168
const TILE_GAP = 8

const STATUS_WORDS: Partial<Record<Job['status'], string>> = { partial: 'Partly done', failed: 'Failed', cancelled: 'Cancelled' }

interface ResultGroupProps {
  job: Job
  now: number
  /** The width its rows fill (0 until measured). */
  width: number
  /** Known library copies and unreadable images, by image id (of every job: the group reads its own). */
  images: Record<string, LibraryImage>
  missing: Record<string, string>
  onOpen: (image: JobImage, library: LibraryImage | undefined) => void
  onPreview: (job: Job, image: JobImage) => void
}

/** A group renders again only for its own job, its own images' library copies, the width, or the clock while it runs. */
export const ResultGroup = memo(ResultGroupView, (a, b) => {
  if (a.job !== b.job || a.now !== b.now || a.width !== b.width || a.onOpen !== b.onOpen || a.onPreview !== b.onPreview) return false
  if (a.images === b.images && a.missing === b.missing) return true
  for (const image of b.job.images) {
    const id = image.imageId
    if (id && (a.images[id] !== b.images[id] || a.missing[id] !== b.missing[id])) return false
  }
  return true
})

function ResultGroupView({ job, now, width, images, missing, onOpen, onPreview }: ResultGroupProps) {
  const collapsed = useJobs((s) => s.collapsed[job.id] ?? false)
  const toggle = useJobs((s) => s.toggleCollapsed)
  const seenEnd = useJobs((s) => s.finishedAt[job.id])
  const focus = useJobs((s) => (s.focus?.jobId === job.id ? s.focus.at : null))
  const model = useModel((s) => findModel(s.catalogue, job.modelId))
  const running = job.status === 'running'
  const end = running ? now : endOf(job, seenEnd)
  const cost = jobCost(job)
  const params = summarizeParams(job.params)
  const ordered = [...job.images].sort((a, b) => a.index - b.index)
  const boxes = justify(
    ordered.map((image) => tileAspect(job, image)),
    width,
    TILE_HEIGHT,
    TILE_GAP,
  )
  const headingId = `rgroup-${job.id}`
  const ref = useRef<HTMLElement>(null)
  // The right-clicked tile: a saved image gets the library's image menu, any other the job's.
  const [menuFor, setMenuFor] = useState<JobImage | null>(null)
  const menuImage = menuFor?.imageId ? resultImage(menuFor.imageId, images) : undefined

  // Brought into view when its notification was clicked.
  useEffect(() => {
    if (focus !== null) ref.current?.scrollIntoView({ block: 'start', behavior: 'smooth' })
  }, [focus])

  const status = running ? jobPhase(job) : STATUS_WORDS[job.status]
  return (
    // An article per job (a feed of them), not a landmark each.
    <article ref={ref} className={clsx('rgroup', `rgroup-${job.status}`, focus !== null && 'rgroup-focused')} aria-labelledby={headingId} data-job-id={job.id}>
      <ContextMenu.Root modal={false}>
        <ContextMenu.Trigger asChild>
          <header className="rgroup-head">
            <button
              type="button"
              className="icon-btn icon-btn-sm rgroup-toggle"
              aria-expanded={!collapsed}
              aria-controls={`${headingId}-images`}
              aria-label="Show images"
              onClick={() => toggle(job.id)}
            >
              <ChevronRight aria-hidden size={14} strokeWidth={2} />
            </button>
            <div className="rgroup-title">
              <h3 id={headingId} className="rgroup-prompt" title={job.prompt}>
                {job.prompt.trim() || 'No prompt'}
              </h3>
              <p className="rgroup-meta">
                {status && <span className={clsx('rgroup-status', `rgroup-status-${job.status}`)}>{status}</span>}
                <span title={job.modelId}>{model?.displayName ?? job.modelId}</span>
                {params.length > 0 && <span>{params.join(' · ')}</span>}
                <span>{imagesCount(job.count)}</span>
                {cost && (
                  <span className="tabular" title={cost.title}>
                    {cost.text}
                  </span>
                )}
                <JobTime createdAt={job.createdAt} end={end} />
              </p>
            </div>
            <JobActionsButton job={job} className="rgroup-more" />
          </header>
        </ContextMenu.Trigger>
        <ContextMenu.Portal>
          <ContextMenu.Content className="menu" collisionPadding={8}>
            <JobMenuItems kit={ContextMenu} job={job} />
          </ContextMenu.Content>
        </ContextMenu.Portal>
      </ContextMenu.Root>

      {running && job.notice && <Notice job={job} now={now} />}
      <JobProblem job={job} className="rgroup-problem" />

      {!collapsed && (
        <ContextMenu.Root modal={false}>
          <ContextMenu.Trigger asChild>
            <ul
              id={`${headingId}-images`}
              className="rgroup-tiles"
              aria-label={`Images of “${job.prompt.trim() || 'No prompt'}”`}
              onContextMenu={(event) => {
                const cell = (event.target as HTMLElement).closest<HTMLElement>('[data-image-id], [data-job-image]')
                const index = cell?.dataset.imageId
                  ? job.images.find((i) => i.imageId === cell.dataset.imageId)?.index
                  : cell?.dataset.jobImage !== undefined
                    ? Number(cell.dataset.jobImage)
                    : undefined
                setMenuFor(index === undefined ? null : (job.images.find((i) => i.index === index) ?? null))
              }}
            >
              {ordered.map((image, k) => (
                <ResultTile
                  key={image.index}
                  job={job}
                  image={image}
                  library={image.imageId ? resultImage(image.imageId, images) : undefined}
                  gone={image.imageId ? missing[image.imageId] : undefined}
                  box={boxes[k]}
                  onOpen={onOpen}
                  onPreview={onPreview}
                />
              ))}
            </ul>
          </ContextMenu.Trigger>
          <ContextMenu.Portal>
            <ContextMenu.Content className="menu" collisionPadding={8}>
              {menuImage ? (
                <ImageMenuItems kit={ContextMenu} images={[menuImage]} onPreview={() => menuFor && onPreview(job, menuFor)} />
              ) : menuFor?.state === 'saved' ? (
                <ContextMenu.Label className="menu-label-row">Loading…</ContextMenu.Label>
              ) : (
                <JobMenuItems kit={ContextMenu} job={job} />
              )}
            </ContextMenu.Content>
          </ContextMenu.Portal>
        </ContextMenu.Root>
      )}
    </article>
  )
}
