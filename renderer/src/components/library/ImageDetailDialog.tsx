// "Image details": the full image (fit, or 1:1 with panning), its whole recipe, the references it was made
// from, the images it was used in, and every action on it. ←/→ step through the grid; Z toggles 1:1.
import { useLayoutEffect, useRef, useState, type KeyboardEvent, type PointerEvent as ReactPointerEvent, type ReactNode } from 'react'
import {
  ChevronLeft,
  ChevronRight,
  ClipboardCopy,
  Copy,
  FolderOpen,
  ImagePlus,
  LayoutGrid,
  Loader2,
  Maximize,
  MoreHorizontal,
  Plus,
  RotateCcw,
  Scan,
  SlidersHorizontal,
  Sparkles,
  Star,
  Trash2,
  Type,
  X,
} from 'lucide-react'
import { Dialog, DropdownMenu } from 'radix-ui'
import clsx from 'clsx'
import { useShallow } from 'zustand/react/shallow'
import type { LibraryImage } from '../../../../shared/domain'
import { formatBytes, formatCost, formatDateTime, paramLabel, paramValue } from '../../lib/format'
import { libraryAlt, ordinalOf, ordinalsOf } from '../../lib/libraryImages'
import { currentImage, useImageDetail } from '../../store/imageDetail'
import { useLibrary } from '../../store/library'
import {
  copyImage,
  copyText,
  moveToTrash,
  removeFromBoard,
  restoreImages,
  reuse,
  revealImage,
  setStarred,
  triageKey,
  applyTriage,
  useAsReference,
} from '../../store/libraryActions'
import { findModel, useModel } from '../../store/model'
import { Callout } from '../Callout'
import { Hint } from '../Hint'
import { IconButton } from '../IconButton'
import { AddToBoardMenu } from './AddToBoardMenu'
import { ImageMenuItems } from './ImageMenuItems'
import { TriageControls } from './Triage'

type Zoom = 'fit' | 'actual'

/** The open image's place among the loaded ones, for the alt text and "3 / 120". */
function usePosition(image: LibraryImage | null) {
  const items = useLibrary((s) => s.items)
  const index = image ? items.findIndex((i) => i.id === image.id) : -1
  const siblings = image ? items.filter((i) => i.jobId === image.jobId) : []
  const ordinal = image ? ordinalsOf(siblings.length ? siblings : [image]).get(image.id) : undefined
  return { index, total: items.length, alt: image ? libraryAlt(image, ordinal) : '' }
}

function Stage({ image, alt, zoom, setZoom }: { image: LibraryImage; alt: string; zoom: Zoom; setZoom: (zoom: Zoom) => void }) {
  const stage = useRef<HTMLDivElement>(null)
  const [box, setBox] = useState({ width: 0, height: 0 })
  const [loaded, setLoaded] = useState<string | null>(null)
  /** Where (0–1 of the image) a click asked to zoom in, so 1:1 opens centred there. */
  const focusPoint = useRef<{ x: number; y: number }>({ x: 0.5, y: 0.5 })
  const drag = useRef<{ x: number; y: number; left: number; top: number; moved: boolean } | null>(null)

  useLayoutEffect(() => {
    const element = stage.current
    if (!element) return
    const measure = () => setBox({ width: element.clientWidth, height: element.clientHeight })
    measure()
    const observer = new ResizeObserver(measure)
    observer.observe(element)
    return () => observer.disconnect()
  }, [])

  const dpr = window.devicePixelRatio || 1
  const pad = zoom === 'fit' ? 32 : 0
  const fitScale = Math.min(1, (box.width - pad * 2) / image.width, (box.height - pad * 2) / image.height)
  // 1:1 is one image pixel per screen pixel.
  const scale = zoom === 'actual' ? 1 / dpr : Math.max(0.01, fitScale)
  const width = Math.round(image.width * scale)
  const height = Math.round(image.height * scale)

  useLayoutEffect(() => {
    const element = stage.current
    if (!element || zoom !== 'actual') return
    element.scrollLeft = focusPoint.current.x * width - element.clientWidth / 2
    element.scrollTop = focusPoint.current.y * height - element.clientHeight / 2
  }, [zoom, width, height])

  const onPointerDown = (event: ReactPointerEvent) => {
    if (event.button !== 0 || !stage.current) return
    drag.current = { x: event.clientX, y: event.clientY, left: stage.current.scrollLeft, top: stage.current.scrollTop, moved: false }
    ;(event.currentTarget as HTMLElement).setPointerCapture(event.pointerId)
  }
  const onPointerMove = (event: ReactPointerEvent) => {
    const d = drag.current
    if (!d || !stage.current) return
    const dx = event.clientX - d.x
    const dy = event.clientY - d.y
    if (Math.abs(dx) + Math.abs(dy) > 3) d.moved = true
    if (zoom === 'actual') {
      stage.current.scrollLeft = d.left - dx
      stage.current.scrollTop = d.top - dy
    }
  }
  const onPointerUp = (event: ReactPointerEvent) => {
    const d = drag.current
    drag.current = null
    if (!d || d.moved) return
    // A click without a drag toggles the zoom, at the point clicked.
    const img = (event.currentTarget as HTMLElement).querySelector('img')
    if (zoom === 'fit' && img) {
      const rect = img.getBoundingClientRect()
      focusPoint.current = {
        x: Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width)),
        y: Math.min(1, Math.max(0, (event.clientY - rect.top) / rect.height)),
      }
      setZoom('actual')
    } else if (zoom === 'actual') setZoom('fit')
  }

  return (
    <div className="detail-stage-wrap">
      <div
        ref={stage}
        className={clsx('detail-stage', zoom === 'actual' && 'is-actual')}
        // At 1:1 the stage scrolls: focusable so the arrow keys can pan it.
        tabIndex={zoom === 'actual' ? 0 : undefined}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => (drag.current = null)}
      >
        <div className="detail-canvas" style={{ width, height }}>
          <img
            key={image.id}
            src={image.url}
            alt={alt}
            width={width}
            height={height}
            draggable={false}
            className={clsx('detail-image', loaded === image.id && 'is-loaded')}
            // The thumbnail stands in while the full image loads.
            style={{ backgroundImage: `url("${image.thumbUrl}")` }}
            onLoad={() => setLoaded(image.id)}
          />
        </div>
      </div>
      <span className="detail-zoom-level tabular" aria-hidden>
        {Math.round(scale * dpr * 100)}%
      </span>
      {loaded !== image.id && (
        <span className="detail-loading" role="status">
          <Loader2 className="spin" aria-hidden size={14} />
          Loading full image…
        </span>
      )}
    </div>
  )
}

function Recipe({ image }: { image: LibraryImage }) {
  const form = useModel((s) => s.form)
  const fields = form?.modelId === image.modelId ? form.fields : undefined
  const modelName = useModel((s) => findModel(s.catalogue, image.modelId)?.displayName)
  const row = (label: string, value: ReactNode, mono = false) => (
    <div className="detail-meta-row" key={label}>
      <dt>{label}</dt>
      <dd className={clsx(mono && 'mono')}>{value}</dd>
    </div>
  )
  return (
    <dl className="detail-meta">
      {row('Model', modelName ? <span title={image.modelId}>{modelName}</span> : image.modelId, !modelName)}
      {Object.entries(image.params).map(([name, value]) => row(paramLabel(name, fields), paramValue(name, value)))}
      {row('Dimensions', <span className="tabular">{`${image.width} × ${image.height}${image.aspect ? ` · ${image.aspect}` : ''}`}</span>)}
      {row('File', `${image.format.toUpperCase()} · ${formatBytes(image.bytes)}`)}
      {row('Created', formatDateTime(image.createdAt))}
      {row('Cost', image.cost !== undefined ? <span className="tabular">{formatCost(image.cost)}</span> : <span className="muted">Not known yet</span>)}
      {row('Job', image.jobId, true)}
      {row('Generation', image.generationId, true)}
      {row('Image', image.id, true)}
    </dl>
  )
}

function BoardsOf({ image, boardIds }: { image: LibraryImage; boardIds: string[] }) {
  const boards = useLibrary((s) => s.facets?.boards ?? [])
  const mine = boards.filter((b) => boardIds.includes(b.id))
  const others = boards.filter((b) => !boardIds.includes(b.id))
  return (
    <section className="detail-section" aria-labelledby="detail-boards">
      <h3 id="detail-boards" className="detail-section-title">
        Boards
      </h3>
      <ul className="detail-boards">
        {mine.map((board) => (
          <li key={board.id} className="lib-chip">
            <LayoutGrid aria-hidden size={11} strokeWidth={2} />
            {board.name}
            <button type="button" className="lib-chip-remove" aria-label={`Remove from ${board.name}`} onClick={() => void removeFromBoard(board, [image.id])}>
              <X aria-hidden size={11} strokeWidth={2.25} />
            </button>
          </li>
        ))}
        <li>
          <AddToBoardMenu ids={[image.id]} boards={others} icon={<Plus aria-hidden size={12} strokeWidth={2} />} />
        </li>
      </ul>
    </section>
  )
}

export function ImageDetailDialog() {
  const { imageId, detail, error, close, step, open } = useImageDetail(
    useShallow((s) => ({ imageId: s.imageId, detail: s.detail, error: s.error, close: s.close, step: s.step, open: s.open })),
  )
  const image = useImageDetail(currentImage)
  const { index, total, alt } = usePosition(image)
  const [zoom, setZoom] = useState<Zoom>('fit')
  const [zoomFor, setZoomFor] = useState<string | null>(null)
  // Each image opens fitted.
  if (zoomFor !== imageId) {
    setZoomFor(imageId)
    setZoom('fit')
  }
  const trashed = image?.trashedAt !== undefined

  const onKeyDown = (event: KeyboardEvent) => {
    if (!image || (event.target as HTMLElement).closest('input, textarea, [role="menu"]')) return
    const plain = !event.metaKey && !event.ctrlKey && !event.altKey
    if (event.key === 'ArrowRight' && zoom === 'fit') step(1)
    else if (event.key === 'ArrowLeft' && zoom === 'fit') step(-1)
    else if (plain && event.key.toLowerCase() === 'z') setZoom(zoom === 'fit' ? 'actual' : 'fit')
    else if (plain && event.key.toLowerCase() === 's' && !trashed) void setStarred([image.id], !image.starred)
    else if (plain && !trashed && triageKey(event.key)) void applyTriage([image.id], triageKey(event.key)!)
    else if ((event.key === 'Delete' || event.key === 'Backspace') && !trashed) void moveToTrash([image.id])
    else return
    event.preventDefault()
  }

  return (
    <Dialog.Root open={imageId !== null} onOpenChange={(o) => !o && close()}>
      <Dialog.Portal>
        <Dialog.Overlay className="preview-overlay" />
        <Dialog.Content
          className="detail"
          aria-describedby={undefined}
          onOpenAutoFocus={(e) => {
            e.preventDefault()
            ;(e.currentTarget as HTMLElement | null)?.focus()
          }}
          onCloseAutoFocus={(e) => {
            // Back to the tile of the image last shown (stepping moved the grid's focus along).
            e.preventDefault()
            const id = useLibrary.getState().focusId
            const tile = id ? document.querySelector<HTMLElement>(`[role="gridcell"][data-image-id="${CSS.escape(id)}"]`) : null
            const back = tile ?? useImageDetail.getState().returnFocus
            if (back?.isConnected) back.focus({ preventScroll: true })
          }}
          onKeyDown={onKeyDown}
        >
          {image && (
            <>
              <div className="detail-main">
                <div className="detail-bar">
                  {total > 1 && index >= 0 && (
                    <>
                      <IconButton label="Previous image" icon={ChevronLeft} size="sm" onClick={() => step(-1)} />
                      <span className="detail-position tabular">
                        {index + 1} / {total}
                      </span>
                      <IconButton label="Next image" icon={ChevronRight} size="sm" onClick={() => step(1)} />
                    </>
                  )}
                  <span className="lib-toolbar-spacer" />
                  <Hint content={<>Zoom (Z)</>}>
                    <button type="button" className="btn btn-secondary btn-sm" onClick={() => setZoom(zoom === 'fit' ? 'actual' : 'fit')}>
                      {zoom === 'fit' ? <Scan aria-hidden size={13} strokeWidth={1.75} /> : <Maximize aria-hidden size={13} strokeWidth={1.75} />}
                      {zoom === 'fit' ? 'Actual size' : 'Fit'}
                    </button>
                  </Hint>
                </div>
                <Stage image={image} alt={alt} zoom={zoom} setZoom={setZoom} />
              </div>

              <div className="detail-info">
                <div className="detail-head">
                  <Dialog.Title className="preview-title">Image details</Dialog.Title>
                  <span className="lib-toolbar-spacer" />
                  <DropdownMenu.Root modal={false}>
                    <DropdownMenu.Trigger asChild>
                      <IconButton label="More actions" icon={MoreHorizontal} size="sm" />
                    </DropdownMenu.Trigger>
                    <DropdownMenu.Portal>
                      <DropdownMenu.Content className="menu" align="end" sideOffset={4} collisionPadding={8}>
                        <ImageMenuItems kit={DropdownMenu} images={[image]} inDetails />
                      </DropdownMenu.Content>
                    </DropdownMenu.Portal>
                  </DropdownMenu.Root>
                  <Dialog.Close asChild>
                    <IconButton label="Close details" icon={X} size="sm" />
                  </Dialog.Close>
                </div>

                <div className="detail-scroll">
                  {trashed && (
                    <Callout
                      tone="warning"
                      title="In the trash"
                      action={
                        <button type="button" className="btn btn-secondary btn-sm" onClick={() => void restoreImages([image.id])}>
                          <RotateCcw aria-hidden size={13} strokeWidth={1.75} />
                          Restore
                        </button>
                      }
                    >
                      Moved there {formatDateTime(image.trashedAt!)}. It is deleted for good when the trash is emptied.
                    </Callout>
                  )}
                  {error && (
                    <Callout tone="danger" title="Some details could not be loaded" role="alert">
                      {error}
                    </Callout>
                  )}

                  <div className="detail-actions">
                    <button type="button" className="btn btn-primary btn-md btn-block" onClick={() => void reuse(image, 'all')}>
                      <Sparkles aria-hidden size={14} strokeWidth={1.75} />
                      Reuse all settings
                    </button>
                    <div className="detail-actions-row">
                      <button type="button" className="btn btn-secondary" onClick={() => void reuse(image, 'prompt')}>
                        <Type aria-hidden size={13} strokeWidth={1.75} />
                        Reuse prompt
                      </button>
                      <button type="button" className="btn btn-secondary" onClick={() => void reuse(image, 'params')}>
                        <SlidersHorizontal aria-hidden size={13} strokeWidth={1.75} />
                        Reuse parameters
                      </button>
                    </div>
                    <button type="button" className="btn btn-secondary btn-block" onClick={() => void useAsReference([image.id])}>
                      <ImagePlus aria-hidden size={13} strokeWidth={1.75} />
                      Use as reference
                    </button>
                    <div className="detail-tools" role="toolbar" aria-label="Image actions">
                      {!trashed && (
                        <IconButton
                          label={image.starred ? 'Unstar' : 'Star'}
                          icon={Star}
                          className={clsx(image.starred && 'is-starred')}
                          aria-pressed={image.starred}
                          onClick={() => void setStarred([image.id], !image.starred)}
                        />
                      )}
                      <IconButton label="Copy image" icon={ClipboardCopy} onClick={() => void copyImage(image)} />
                      <IconButton label="Reveal in folder" icon={FolderOpen} onClick={() => void revealImage(image)} />
                      {trashed ? (
                        <IconButton label="Restore" icon={RotateCcw} onClick={() => void restoreImages([image.id])} />
                      ) : (
                        <IconButton label="Move to trash" icon={Trash2} className="icon-btn-danger" onClick={() => void moveToTrash([image.id])} />
                      )}
                    </div>
                    {!trashed && <TriageControls image={image} />}
                  </div>

                  {image.prompt.trim() && (
                    <section className="detail-section" aria-labelledby="detail-prompt">
                      <div className="detail-section-head">
                        <h3 id="detail-prompt" className="detail-section-title">
                          Prompt
                        </h3>
                        <button type="button" className="btn btn-ghost btn-sm" onClick={() => void copyText(image.prompt, 'Prompt')}>
                          <Copy aria-hidden size={12} strokeWidth={1.75} />
                          Copy prompt
                        </button>
                      </div>
                      <p className="detail-prompt">{image.prompt}</p>
                    </section>
                  )}

                  <section className="detail-section" aria-labelledby="detail-recipe">
                    <h3 id="detail-recipe" className="detail-section-title">
                      Recipe
                    </h3>
                    <Recipe image={image} />
                  </section>

                  {!trashed && <BoardsOf image={image} boardIds={detail?.boardIds ?? []} />}

                  {image.references.length > 0 && (
                    <section className="detail-section" aria-labelledby="detail-refs">
                      <h3 id="detail-refs" className="detail-section-title">
                        Made from <span className="detail-section-count">{image.references.length}</span>
                      </h3>
                      {detail ? (
                        <ul className="detail-thumbs">
                          {detail.references.map((ref, i) => (
                            <li key={ref.hash}>
                              <Hint content={`@Image${i + 1} · ${ref.name} · ${ref.width} × ${ref.height}${ref.sourceImageId ? ' · in your library' : ''}`}>
                                {ref.sourceImageId ? (
                                  // A library image: its own details (and the chain further back) are one click away.
                                  <button
                                    type="button"
                                    className="detail-thumb"
                                    aria-label={`Open @Image${i + 1}: ${ref.name}`}
                                    onClick={() => open(ref.sourceImageId!)}
                                  >
                                    <img src={ref.thumbUrl} alt="" draggable={false} />
                                  </button>
                                ) : (
                                  <span className="detail-thumb" role="img" tabIndex={0} aria-label={`@Image${i + 1}: ${ref.name}`}>
                                    <img src={ref.thumbUrl} alt="" draggable={false} />
                                  </span>
                                )}
                              </Hint>
                            </li>
                          ))}
                          {detail.references.length < image.references.length && (
                            <li className="detail-thumbs-note">
                              {image.references.length - detail.references.length} no longer stored
                            </li>
                          )}
                        </ul>
                      ) : (
                        <p className="detail-muted">Loading…</p>
                      )}
                    </section>
                  )}

                  {detail && detail.usedIn.length > 0 && (
                    <section className="detail-section" aria-labelledby="detail-used">
                      <h3 id="detail-used" className="detail-section-title">
                        Used in <span className="detail-section-count">{detail.usedIn.length}</span>
                      </h3>
                      <ul className="detail-thumbs">
                        {detail.usedIn.map((used) => (
                          <li key={used.id}>
                            <Hint content={used.prompt || 'No prompt'}>
                              <button type="button" className="detail-thumb" aria-label={`Open ${libraryAlt(used, ordinalOf(used))}`} onClick={() => open(used)}>
                                <img src={used.thumbUrl} alt="" draggable={false} />
                              </button>
                            </Hint>
                          </li>
                        ))}
                      </ul>
                    </section>
                  )}
                </div>
              </div>
            </>
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  )
}
