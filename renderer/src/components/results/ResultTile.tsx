// One result at its true aspect ratio: the saved image (click: details; Space: preview; right-click or Shift+F10:
// the library's image menu; drag it out or onto the composer), or where it is (waiting, queued, generating,
// downloading with real progress), or why it failed, in words on the tile itself.
import { memo, type CSSProperties, type DragEvent, type KeyboardEvent } from 'react'
import { Ban, CircleAlert, CircleHelp, Download, ImageOff, Loader2, Star, Trash2 } from 'lucide-react'
import clsx from 'clsx'
import type { Job, JobImage, LibraryImage } from '../../../../shared/domain'
import { imageAlt } from '../../lib/format'
import { beginImageDrag, endImageDrag } from '../../lib/imageDrag'
import { setRating, setStarred } from '../../store/libraryActions'
import { TileTriage, triageDescription } from '../library/Triage'
import { Thumbnail } from '../Thumbnail'
import { IMAGE_WORDS } from '../jobs/jobText'
import { tileAspect } from './aspect'
import type { TileBox } from './justify'

/** Oxen's reason without the lead-in the job's summary already says. */
const reasonOf = (error: string | undefined) => (error ?? 'Oxen did not say why.').replace(/^Oxen could not make this image: /, '')

interface ResultTileProps {
  job: Job
  image: JobImage
  /** The library's copy of a saved image (its star, rating, trash state), once known. */
  library: LibraryImage | undefined
  /** Why a saved image is no longer readable (deleted from the library for good). */
  gone: string | undefined
  /** Its place in the justified rows; absent until the row width is known (the ratio alone sizes it then). */
  box: TileBox | undefined
  onOpen: (image: JobImage, library: LibraryImage | undefined) => void
  onPreview: (job: Job, image: JobImage) => void
}

/** The keyboard's way to the context menu (Chromium does not always raise contextmenu for it). */
function menuKey(event: KeyboardEvent<HTMLElement>): boolean {
  if (event.key !== 'ContextMenu' && !(event.key === 'F10' && event.shiftKey)) return false
  event.preventDefault()
  const rect = event.currentTarget.getBoundingClientRect()
  event.currentTarget.dispatchEvent(
    new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: rect.left + rect.width / 2, clientY: rect.top + rect.height / 2 }),
  )
  return true
}

/**
 * A job update carries the whole job, every image a new object: a tile renders again only when what it shows changed
 * (its image's state, progress or files, its library copy, its box), so a finished tile stays put while others progress.
 */
export const ResultTile = memo(ResultTileView, (a, b) =>
  a.library === b.library &&
  a.gone === b.gone &&
  a.box?.width === b.box?.width &&
  a.box?.height === b.box?.height &&
  a.onOpen === b.onOpen &&
  a.onPreview === b.onPreview &&
  a.job.id === b.job.id &&
  a.job.prompt === b.job.prompt &&
  a.job.count === b.job.count &&
  tileAspect(a.job, a.image) === tileAspect(b.job, b.image) &&
  (a.image === b.image || JSON.stringify(a.image) === JSON.stringify(b.image)),
)

function ResultTileView({ job, image, library, gone, box, onOpen, onPreview }: ResultTileProps) {
  const alt = imageAlt(job.prompt, image.index, job.count)
  const style = { '--ar': tileAspect(job, image), ...(box ? { width: box.width, height: box.height } : {}) } as CSSProperties
  const saved = image.state === 'saved' && image.thumbUrl !== undefined

  if (saved && !gone) {
    const trashed = library?.trashedAt !== undefined
    const onDragStart = (event: DragEvent) => {
      // Dragged onto the composer (a reference) or out of the window (the file), once the library has it.
      if (library) beginImageDrag(event, [library])
      else event.preventDefault()
    }
    return (
      <li className="rtile-cell" style={style}>
        <button
          type="button"
          className={clsx('rtile', library?.starred && 'is-starred', library?.pick === -1 && 'is-rejected', trashed && 'is-trashed')}
          data-image-id={image.imageId}
          aria-description={[trashed ? 'In the trash' : '', library ? (triageDescription(library) ?? '') : ''].filter(Boolean).join(', ') || undefined}
          onClick={() => onOpen(image, library)}
          onKeyDown={(event) => {
            if (menuKey(event)) return
            if (event.key === ' ') {
              event.preventDefault()
              onPreview(job, image)
            }
          }}
          draggable={library !== undefined}
          onDragStart={onDragStart}
          onDragEnd={endImageDrag}
        >
          {/* A job's few results: fetched at once rather than after a layout pass says they are in view. */}
          <Thumbnail src={image.thumbUrl!} alt={alt} className="rtile-thumb" eager />
          {library && !trashed && (
            <>
              {/* Mouse shortcuts; the keyboard's are the menu (and S, 1–5 in details), the state is in the description. */}
              <span
                className="rtile-star"
                aria-hidden
                title={library.starred ? 'Unstar' : 'Star'}
                onClick={(event) => {
                  event.stopPropagation()
                  void setStarred([library.id], !library.starred)
                }}
              >
                <Star size={13} strokeWidth={2} />
              </span>
              <TileTriage image={library} rate={(target, rating) => void setRating([target.id], rating)} />
            </>
          )}
          {trashed && (
            <span className="rtile-badge" aria-hidden>
              <Trash2 size={11} strokeWidth={2} />
              In the trash
            </span>
          )}
        </button>
      </li>
    )
  }

  if (saved && gone) {
    return (
      <li className="rtile-cell" style={style}>
        <div className="rtile rtile-note" title={gone}>
          <ImageOff aria-hidden size={16} strokeWidth={1.5} />
          <p>Deleted from the library</p>
        </div>
      </li>
    )
  }

  if (image.state === 'failed' || image.state === 'unconfirmed' || image.state === 'cancelled') {
    const failed = image.state === 'failed'
    const Icon = failed ? CircleAlert : image.state === 'unconfirmed' ? CircleHelp : Ban
    const reason = failed ? reasonOf(image.error) : image.state === 'unconfirmed' ? 'It may have reached Oxen; Send again only if it did not.' : undefined
    return (
      <li className="rtile-cell" style={style}>
        <div className={clsx('rtile', 'rtile-note', `rtile-${image.state}`)} data-job-image={image.index} title={image.error}>
          <Icon aria-hidden size={16} strokeWidth={1.75} />
          <p className="rtile-note-title">
            <span className="visually-hidden">{alt}: </span>
            {IMAGE_WORDS[image.state]}
          </p>
          {reason && <p className="rtile-note-reason">{reason}</p>}
        </div>
      </li>
    )
  }

  // On its way: waiting, queued at Oxen, generating, downloading (with how much has come).
  const percent = image.progress !== undefined ? Math.round(image.progress * 100) : null
  const Icon = image.state === 'downloading' ? Download : image.state === 'processing' ? Loader2 : null
  return (
    <li className="rtile-cell" style={style}>
      <div className={clsx('rtile', 'rtile-pending', `rtile-${image.state}`)} role="img" aria-label={`${alt}: ${IMAGE_WORDS[image.state].toLowerCase()}`} data-job-image={image.index}>
        <span className="rtile-state" aria-hidden>
          {Icon && <Icon className={clsx(image.state === 'processing' && 'spin')} size={12} strokeWidth={2} />}
          {IMAGE_WORDS[image.state]}
          {image.state === 'downloading' && percent !== null && <span className="tabular"> {percent}%</span>}
        </span>
        {image.state === 'downloading' && (
          <span className="rtile-progress" aria-hidden>
            <span style={{ width: `${percent ?? 0}%` }} />
          </span>
        )}
      </div>
    </li>
  )
}
