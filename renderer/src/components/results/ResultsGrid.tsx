// The Results region: the listed jobs, newest first, each with its images at their true aspect ratio. A saved image
// has everything a library image has (details on click, the image menu on right-click, drag out); a job that failed
// says why, in place. The image details and board dialogs live here too, so the menu's actions work in Create.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { Images } from 'lucide-react'
import type { Job, JobImage, LibraryImage } from '../../../../shared/domain'
import { generateShortcut, imageAlt } from '../../lib/format'
import { libraryAlt, ordinalOf, toPreviewItem } from '../../lib/libraryImages'
import { useNow } from '../../lib/useNow'
import { useImageDetail } from '../../store/imageDetail'
import { isRunning, newestFirst, useJobs } from '../../store/jobs'
import { useLibrary } from '../../store/library'
import { usePreview, type PreviewItem } from '../../store/preview'
import { resultImage, useResultImages, wantResultImages } from '../../store/resultImages'
import { EmptyState } from '../EmptyState'
import { Kbd } from '../Hint'
import { BoardDialogs } from '../library/BoardDialogs'
import { ImageDetailDialog } from '../library/ImageDetailDialog'
import { useContentWidth } from '../../lib/useContentWidth'
import { ResultGroup } from './ResultGroup'

/** A saved result for the quick preview: the library's copy once known, the job's own URLs meanwhile. */
function previewOf(job: Job, image: JobImage, library: LibraryImage | undefined): PreviewItem {
  if (library) return { ...toPreviewItem(library, libraryAlt(library, ordinalOf(library))), key: `${job.id}:${image.index}` }
  return {
    key: `${job.id}:${image.index}`,
    src: image.url ?? image.thumbUrl!,
    thumbSrc: image.thumbUrl!,
    alt: imageAlt(job.prompt, image.index, job.count),
    prompt: job.prompt,
    params: job.params,
    createdAt: job.createdAt,
    ...(image.width ? { width: image.width } : {}),
    ...(image.height ? { height: image.height } : {}),
    ...(image.cost !== undefined ? { cost: image.cost } : {}),
  }
}

export function ResultsGrid() {
  const byId = useJobs((s) => s.byId)
  const jobs = useMemo(() => newestFirst(byId), [byId])
  const images = useResultImages((s) => s.byId)
  const missing = useResultImages((s) => s.missing)
  // The library grid's copies are the freshest (every action patches them at once): follow them.
  useLibrary((s) => s.items)
  const now = useNow(jobs.some(isRunning))
  const [groupsElement, setGroupsElement] = useState<HTMLDivElement | null>(null)
  const width = useContentWidth(groupsElement)

  const savedIds = useMemo(() => jobs.flatMap((j) => j.images.flatMap((i) => (i.state === 'saved' && i.imageId ? [i.imageId] : []))), [jobs])
  useEffect(() => wantResultImages(savedIds), [savedIds])

  const onOpen = useCallback((image: JobImage, library: LibraryImage | undefined) => {
    if (library) useImageDetail.getState().open(library)
    else if (image.imageId) useImageDetail.getState().open(image.imageId)
  }, [])

  // Stable, so the groups (memoised) do not render again for it: it reads the jobs shown now through a ref.
  const shown = useRef({ jobs, missing })
  shown.current = { jobs, missing }
  const onPreview = useCallback((job: Job, image: JobImage) => {
    const { jobs, missing } = shown.current
    const { byId: known } = useResultImages.getState()
    const list: { key: string; item: PreviewItem }[] = []
    for (const j of jobs) {
      for (const i of [...j.images].sort((a, b) => a.index - b.index)) {
        if (i.state !== 'saved' || !i.thumbUrl || !i.imageId || missing[i.imageId]) continue
        list.push({ key: `${j.id}:${i.index}`, item: previewOf(j, i, resultImage(i.imageId, known)) })
      }
    }
    const at = list.findIndex((e) => e.key === `${job.id}:${image.index}`)
    if (at >= 0) usePreview.getState().open(list.map((e) => e.item), at)
  }, [])

  const saved = savedIds.length
  return (
    <section className="results" aria-labelledby="results-heading">
      <div className="results-head">
        <h2 id="results-heading">Results</h2>
        {jobs.length > 0 && (
          <span className="results-count tabular">
            {saved} {saved === 1 ? 'image' : 'images'} · {jobs.length} {jobs.length === 1 ? 'job' : 'jobs'}
          </span>
        )}
      </div>
      {jobs.length === 0 ? (
        <EmptyState icon={Images} title="Your images will appear here">
          Write a prompt and press Generate, or <Kbd>{generateShortcut}</Kbd> from anywhere in the composer.
        </EmptyState>
      ) : (
        <div ref={setGroupsElement} className="rgroups">
          {jobs.map((job) => (
            // The clock only for jobs that run (the others show a fixed duration), so it re-renders only them.
            <ResultGroup key={job.id} job={job} now={isRunning(job) ? now : 0} width={width} images={images} missing={missing} onOpen={onOpen} onPreview={onPreview} />
          ))}
        </div>
      )}
      <ImageDetailDialog />
      <BoardDialogs />
    </section>
  )
}
