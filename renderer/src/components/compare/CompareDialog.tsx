// Compare 2–4 images side by side: fitted, or all at 1:1 with zoom and pan kept in step (scrolling or dragging one
// moves the others to the same place); rating and flagging by keyboard on the focused one; the recipes below with
// what differs marked.
import { useLayoutEffect, useRef, useState, type KeyboardEvent, type PointerEvent as ReactPointerEvent } from 'react'
import { Maximize, Scan, X } from 'lucide-react'
import { Dialog, Switch } from 'radix-ui'
import clsx from 'clsx'
import type { LibraryImage } from '../../../../shared/domain'
import { libraryAlt, ordinalOf } from '../../lib/libraryImages'
import { recipeRows } from '../../lib/recipeDiff'
import { useCompare, useComparedImages } from '../../store/compare'
import { applyTriage, triageKey } from '../../store/libraryActions'
import { findModel, useModel } from '../../store/model'
import { Hint, Kbd } from '../Hint'
import { IconButton } from '../IconButton'
import { TriageControls } from '../library/Triage'

type Zoom = 'fit' | 'actual'
const LETTERS = ['A', 'B', 'C', 'D']

/** Where a stage is scrolled, as fractions of how far it can scroll: the same place in every image. */
function scrollFraction(el: HTMLElement): { x: number; y: number } {
  const maxX = el.scrollWidth - el.clientWidth
  const maxY = el.scrollHeight - el.clientHeight
  return { x: maxX > 0 ? el.scrollLeft / maxX : 0.5, y: maxY > 0 ? el.scrollTop / maxY : 0.5 }
}

function scrollTo(el: HTMLElement, at: { x: number; y: number }): void {
  el.scrollLeft = Math.round(at.x * (el.scrollWidth - el.clientWidth))
  el.scrollTop = Math.round(at.y * (el.scrollHeight - el.clientHeight))
}

export function CompareDialog() {
  const images = useComparedImages()
  const close = useCompare((s) => s.close)
  const open = images.length > 0
  const [zoom, setZoom] = useState<Zoom>('fit')
  const [onlyDifferences, setOnlyDifferences] = useState(true)
  const [focused, setFocused] = useState(0)
  const stages = useRef<(HTMLDivElement | null)[]>([])
  /** Where the stages are (fractions), kept while fitted so 1:1 opens where the user clicked. */
  const place = useRef({ x: 0.5, y: 0.5 })
  /** Stages being moved to follow another: their own scroll events are not a new place. */
  const following = useRef(new Set<HTMLElement>())
  const idsKey = images.map((i) => i.id).join()
  const [openedFor, setOpenedFor] = useState(idsKey)
  // Each new set opens fitted, on its first image.
  if (openedFor !== idsKey) {
    setOpenedFor(idsKey)
    setZoom('fit')
    setFocused(0)
  }

  // Entering 1:1: every stage to the same place.
  useLayoutEffect(() => {
    if (zoom !== 'actual') return
    for (const el of stages.current) if (el) follow(el, place.current)
  }, [zoom, idsKey])

  function follow(el: HTMLElement, at: { x: number; y: number }) {
    following.current.add(el)
    scrollTo(el, at)
    // A scroll event follows only when the position changed; either way the next frame is the user's again.
    requestAnimationFrame(() => following.current.delete(el))
  }

  const onStageScroll = (index: number) => {
    const el = stages.current[index]
    if (!el || zoom !== 'actual' || following.current.has(el)) return
    place.current = scrollFraction(el)
    stages.current.forEach((other, i) => other && i !== index && follow(other, place.current))
  }

  const drag = useRef<{ index: number; x: number; y: number; moved: boolean } | null>(null)
  const onPointerDown = (event: ReactPointerEvent, index: number) => {
    if (event.button !== 0) return
    drag.current = { index, x: event.clientX, y: event.clientY, moved: false }
    ;(event.currentTarget as HTMLElement).setPointerCapture(event.pointerId)
  }
  const onPointerMove = (event: ReactPointerEvent) => {
    const d = drag.current
    const el = d && stages.current[d.index]
    if (!d || !el || zoom !== 'actual') return
    const dx = event.clientX - d.x
    const dy = event.clientY - d.y
    if (Math.abs(dx) + Math.abs(dy) > 2) d.moved = true
    el.scrollLeft -= dx
    el.scrollTop -= dy
    d.x = event.clientX
    d.y = event.clientY
  }
  const onPointerUp = (event: ReactPointerEvent, index: number) => {
    const d = drag.current
    drag.current = null
    setFocused(index)
    if (!d || d.moved || zoom !== 'fit') return
    // A click on a fitted image: 1:1 there, in every image.
    const rect = (event.currentTarget as HTMLElement).querySelector('img')?.getBoundingClientRect()
    if (rect && rect.width > 0) {
      place.current = {
        x: Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width)),
        y: Math.min(1, Math.max(0, (event.clientY - rect.top) / rect.height)),
      }
    }
    setZoom('actual')
  }

  const onKeyDown = (event: KeyboardEvent) => {
    if ((event.target as HTMLElement).closest('button, [role="switch"], input')) {
      if (event.key !== 'Escape' && !/^[0-5pxu]$/i.test(event.key)) return
    }
    const plain = !event.metaKey && !event.ctrlKey && !event.altKey
    const image = images[focused]
    const change = plain ? triageKey(event.key) : null
    if (change && image && image.trashedAt === undefined) void applyTriage([image.id], change)
    else if (plain && event.key.toLowerCase() === 'z') setZoom(zoom === 'fit' ? 'actual' : 'fit')
    // At 1:1 the arrows pan the focused stage (and so all of them); fitted, they move between the images.
    else if (zoom === 'fit' && (event.key === 'ArrowRight' || event.key === 'ArrowLeft')) {
      const next = (focused + (event.key === 'ArrowRight' ? 1 : -1) + images.length) % images.length
      setFocused(next)
      stages.current[next]?.focus()
    } else return
    event.preventDefault()
  }

  return (
    <Dialog.Root open={open} onOpenChange={(o) => !o && close()}>
      <Dialog.Portal>
        <Dialog.Overlay className="preview-overlay" />
        <Dialog.Content
          className="compare"
          aria-describedby={undefined}
          onOpenAutoFocus={(event) => {
            event.preventDefault()
            stages.current[0]?.focus()
          }}
          onKeyDown={onKeyDown}
        >
          <div className="compare-bar">
            <Dialog.Title className="compare-title">Compare {images.length} images</Dialog.Title>
            <span className="compare-keys" aria-hidden>
              <Kbd>1</Kbd>–<Kbd>5</Kbd> rate · <Kbd>P</Kbd> pick · <Kbd>X</Kbd> reject · <Kbd>Z</Kbd> zoom
            </span>
            <span className="lib-toolbar-spacer" />
            <label className="compare-switch">
              <Switch.Root className="switch" checked={onlyDifferences} onCheckedChange={setOnlyDifferences}>
                <Switch.Thumb className="switch-thumb" />
              </Switch.Root>
              Only differences
            </label>
            <Hint content={<>Zoom all (Z)</>}>
              <button type="button" className="btn btn-secondary btn-sm" onClick={() => setZoom(zoom === 'fit' ? 'actual' : 'fit')}>
                {zoom === 'fit' ? <Scan aria-hidden size={13} strokeWidth={1.75} /> : <Maximize aria-hidden size={13} strokeWidth={1.75} />}
                {zoom === 'fit' ? 'Actual size' : 'Fit'}
              </button>
            </Hint>
            <Dialog.Close asChild>
              <IconButton label="Close compare" icon={X} size="sm" />
            </Dialog.Close>
          </div>

          <div className="compare-panes" style={{ gridTemplateColumns: `repeat(${images.length}, minmax(0, 1fr))` }}>
            {images.map((image, index) => (
              <figure key={image.id} className={clsx('compare-pane', index === focused && 'is-focused')}>
                <div
                  ref={(el) => {
                    stages.current[index] = el
                  }}
                  className={clsx('compare-stage', zoom === 'actual' && 'is-actual')}
                  tabIndex={0}
                  role="group"
                  aria-label={`${LETTERS[index]}: ${libraryAlt(image, ordinalOf(image))}`}
                  data-compare-stage={index}
                  onFocus={() => setFocused(index)}
                  onScroll={() => onStageScroll(index)}
                  onPointerDown={(event) => onPointerDown(event, index)}
                  onPointerMove={onPointerMove}
                  onPointerUp={(event) => onPointerUp(event, index)}
                  onPointerCancel={() => (drag.current = null)}
                >
                  <img
                    className="compare-image"
                    src={image.url}
                    alt={libraryAlt(image, ordinalOf(image))}
                    draggable={false}
                    style={zoom === 'actual' ? { width: image.width, height: image.height } : { aspectRatio: `${image.width} / ${image.height}` }}
                  />
                </div>
                <figcaption className="compare-caption">
                  <span className="compare-letter" aria-hidden>
                    {LETTERS[index]}
                  </span>
                  {image.trashedAt === undefined ? <TriageControls image={image} /> : <span className="detail-muted">In the trash</span>}
                </figcaption>
              </figure>
            ))}
          </div>

          <RecipeTable images={images} onlyDifferences={onlyDifferences} />
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  )
}

function RecipeTable({ images, onlyDifferences }: { images: LibraryImage[]; onlyDifferences: boolean }) {
  const catalogue = useModel((s) => s.catalogue)
  const form = useModel((s) => s.form)
  const rows = recipeRows(images, {
    model: (id) => findModel(catalogue, id)?.displayName ?? id,
    fields: (modelId) => (form?.modelId === modelId ? form.fields : undefined),
  })
  const shown = onlyDifferences ? rows.filter((r) => r.differs) : rows
  return (
    <div className="compare-recipes">
      <table className="compare-table">
        <caption className="visually-hidden">Recipes{onlyDifferences ? ', where they differ' : ''}</caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Setting</span>
            </th>
            {images.map((image, i) => (
              <th key={image.id} scope="col">
                {LETTERS[i]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.length === 0 ? (
            <tr>
              <td colSpan={images.length + 1} className="compare-same">
                Same recipe: these differ only by chance (an unrecorded seed).
              </td>
            </tr>
          ) : (
            shown.map((row) => (
              <tr key={row.key} className={clsx(row.differs && 'is-different')}>
                <th scope="row">{row.label}</th>
                {row.values.map((value, i) => (
                  <td key={i} title={value}>
                    {value}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  )
}
