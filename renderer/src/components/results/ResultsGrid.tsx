// The Results region: this session's images, newest job first, in-flight ones as shimmering tiles.
import { useMemo } from 'react'
import { Images, Maximize2 } from 'lucide-react'
import type { Job, JobImage } from '../../../../shared/domain'
import { generateShortcut, imageAlt } from '../../lib/format'
import { beginImageDrag, endImageDrag } from '../../lib/imageDrag'
import { newestFirst, useJobs } from '../../store/jobs'
import { findLibraryImage } from '../../store/library'
import { usePreview, type PreviewItem } from '../../store/preview'
import { EmptyState } from '../EmptyState'
import { Kbd } from '../Hint'
import { Thumbnail } from '../Thumbnail'

const IN_FLIGHT = new Set<JobImage['state']>(['pending', 'queued', 'processing', 'downloading'])

type Tile =
  | { kind: 'saved'; key: string; job: Job; image: JobImage & { thumbUrl: string } }
  | { kind: 'pending'; key: string; job: Job; image: JobImage }

function tilesOf(jobs: Job[]): Tile[] {
  const tiles: Tile[] = []
  for (const job of jobs) {
    for (const image of [...job.images].sort((a, b) => a.index - b.index)) {
      const key = `${job.id}:${image.index}`
      if (image.state === 'saved' && image.thumbUrl) tiles.push({ kind: 'saved', key, job, image: { ...image, thumbUrl: image.thumbUrl } })
      else if (IN_FLIGHT.has(image.state)) tiles.push({ kind: 'pending', key, job, image })
    }
  }
  return tiles
}

/** Details come from the library's copy of the image once it has loaded it; the job's own URLs meanwhile. */
function toPreview(tile: Extract<Tile, { kind: 'saved' }>): PreviewItem {
  const { job, image } = tile
  const library = image.imageId ? findLibraryImage(image.imageId) : undefined
  return {
    key: tile.key,
    src: image.url ?? image.thumbUrl,
    thumbSrc: image.thumbUrl,
    alt: imageAlt(job.prompt, image.index, job.count),
    prompt: job.prompt,
    params: job.params,
    createdAt: library?.createdAt ?? job.createdAt,
    width: library?.width,
    height: library?.height,
    bytes: library?.bytes,
    format: library?.format,
    ...(library?.cost !== undefined ? { cost: library.cost } : {}),
  }
}

const PENDING_WORDS: Partial<Record<JobImage['state'], string>> = {
  pending: 'Waiting',
  queued: 'Queued',
  processing: 'Generating',
  downloading: 'Downloading',
}

export function ResultsGrid() {
  const byId = useJobs((s) => s.byId)
  const tiles = useMemo(() => tilesOf(newestFirst(byId)), [byId])
  const open = usePreview((s) => s.open)
  const saved = tiles.filter((t): t is Extract<Tile, { kind: 'saved' }> => t.kind === 'saved')

  const openTile = (key: string) => {
    const items = saved.map(toPreview)
    open(
      items,
      items.findIndex((i) => i.key === key),
    )
  }

  return (
    <section className="results" aria-labelledby="results-heading">
      <div className="results-head">
        <h2 id="results-heading">Results</h2>
        {saved.length > 0 && (
          <span className="results-count">
            {saved.length} {saved.length === 1 ? 'image' : 'images'} this session
          </span>
        )}
      </div>
      {tiles.length === 0 ? (
        <EmptyState icon={Images} title="Your images will appear here">
          Write a prompt and press Generate, or <Kbd>{generateShortcut}</Kbd> from anywhere in the composer.
        </EmptyState>
      ) : (
        <ul className="tile-grid">
          {tiles.map((tile) =>
            tile.kind === 'saved' ? (
              <li key={tile.key}>
                <button
                  type="button"
                  className="tile"
                  onClick={() => openTile(tile.key)}
                  // Dragged onto the composer, a result becomes a reference image (once the library has it).
                  draggable={tile.image.imageId !== undefined}
                  onDragStart={(event) => {
                    const image = tile.image.imageId ? findLibraryImage(tile.image.imageId) : undefined
                    if (image) beginImageDrag(event, [image])
                    else event.preventDefault()
                  }}
                  onDragEnd={endImageDrag}
                >
                  <Thumbnail src={tile.image.thumbUrl} alt={imageAlt(tile.job.prompt, tile.image.index, tile.job.count)} />
                  <span className="tile-overlay" aria-hidden>
                    <span className="tile-caption">{tile.job.prompt}</span>
                    <Maximize2 size={14} strokeWidth={1.75} />
                  </span>
                </button>
              </li>
            ) : (
              <li key={tile.key}>
                <div
                  className="tile tile-pending"
                  role="img"
                  aria-label={`${imageAlt(tile.job.prompt, tile.image.index, tile.job.count)}: ${tile.image.state}`}
                >
                  <span className="tile-pending-label" aria-hidden>
                    {PENDING_WORDS[tile.image.state]}
                    {tile.image.state === 'downloading' && tile.image.progress !== undefined
                      ? ` ${Math.round(tile.image.progress * 100)}%`
                      : '…'}
                  </span>
                  {tile.image.state === 'downloading' && (
                    <span className="tile-progress" aria-hidden>
                      <span style={{ width: `${Math.round((tile.image.progress ?? 0) * 100)}%` }} />
                    </span>
                  )}
                </div>
              </li>
            ),
          )}
        </ul>
      )}
    </section>
  )
}
