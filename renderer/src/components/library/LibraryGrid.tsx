// The library's images as a virtualized, multi-selectable grid (WAI-ARIA grid: rows of gridcells, one tab
// stop that arrows move). Rows are fixed-size, computed from the container's width and the thumbnail size;
// only the rows in view (plus a few) are in the DOM, and the next page is asked for near the end.
import { memo, useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent, type MouseEvent } from 'react'
import { ContextMenu } from 'radix-ui'
import { useVirtualizer } from '@tanstack/react-virtual'
import clsx from 'clsx'
import { useShallow } from 'zustand/react/shallow'
import type { LibraryImage } from '../../../../shared/domain'
import { beginImageDrag, endImageDrag } from '../../lib/imageDrag'
import { useContentWidth } from '../../lib/useContentWidth'
import { libraryAlt, ordinalOf, toPreviewItem } from '../../lib/libraryImages'
import { canCompare, useCompare } from '../../store/compare'
import { useImageDetail } from '../../store/imageDetail'
import { indexOfImage, LIBRARY_PAGE, useLibrary } from '../../store/library'
import { applyTriage, moveToTrash, setRating, setStarred, toggleStar, triageKey } from '../../store/libraryActions'
import { usePreview } from '../../store/preview'
import { Thumbnail } from '../Thumbnail'
import { ImageMenuItems } from './ImageMenuItems'
import { TileTriage, triageDescription } from './Triage'

const GAP = 12
/** Rows rendered beyond each edge of the view: enough for a fast wheel, few enough that a frame mounts little. */
const OVERSCAN_ROWS = 2
/** Ask for the next page when this many rows or fewer remain below the last one rendered. */
const LOAD_AHEAD_ROWS = 4
/** The longest the rest of the first page waits for the browser to be idle. */
const FIRST_PAGE_REST_WAIT_MS = 300

export function LibraryGrid() {
  const { items, nextCursor, loadingMore, selected, focusId, tileSize, scopeKind } = useLibrary(
    useShallow((s) => ({
      items: s.items,
      nextCursor: s.nextCursor,
      loadingMore: s.loadingMore,
      selected: s.selected,
      focusId: s.focusId,
      tileSize: s.tileSize,
      scopeKind: s.scope.kind,
    })),
  )
  const [scroller, setScroller] = useState<HTMLDivElement | null>(null)
  const width = useContentWidth(scroller)
  const columns = Math.max(1, Math.floor((width + GAP) / (tileSize + GAP)))
  const cell = width > 0 ? (width - GAP * (columns - 1)) / columns : tileSize
  const rowHeight = Math.round(cell + GAP)
  const rowCount = Math.ceil(items.length / columns)
  const cells = useRef(new Map<string, HTMLDivElement>())
  /** Set when the keyboard moved focus, so the newly focused tile takes DOM focus once it is rendered. */
  const pendingFocus = useRef(false)

  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scroller,
    estimateSize: () => rowHeight,
    overscan: OVERSCAN_ROWS,
    paddingStart: 0,
    // Scrolling re-renders in React's own time rather than synchronously inside every scroll event.
    useFlushSync: false,
  })
  useEffect(() => virtualizer.measure(), [virtualizer, rowHeight])

  // Nothing until the width is known: rows laid out for a guessed width would only be thrown away (and their
  // thumbnails fetched for nothing) a moment later.
  const rows = width > 0 ? virtualizer.getVirtualItems() : []
  const visible = virtualizer.range
  const lastRow = rows.length ? rows[rows.length - 1]!.index : -1
  const lastInView = visible?.endIndex ?? lastRow
  useEffect(() => {
    if (!nextCursor || loadingMore || lastRow < rowCount - 1 - LOAD_AHEAD_ROWS) return
    const loadMore = () => void useLibrary.getState().loadMore()
    // Right after the first (short) page, the view is not waiting for the next one: it is asked for once the first
    // screen's thumbnails have been decoded and painted (the browser is idle then), not while they are.
    if (items.length >= LIBRARY_PAGE || lastInView >= rowCount - 1) return loadMore()
    const idle = requestIdleCallback(loadMore, { timeout: FIRST_PAGE_REST_WAIT_MS })
    return () => cancelIdleCallback(idle)
  }, [lastRow, lastInView, rowCount, nextCursor, loadingMore, items.length])

  // The tab stop: the focused tile, or the first one.
  const focusIndex = Math.max(0, indexOfImage(items, focusId))
  const tabStop = items[focusIndex]?.id

  // A focused tile that left the grid (trashed, restored, unstarred in Starred) hands focus to the one that took its place.
  const gridFocused = useRef(false)
  useEffect(() => {
    if (gridFocused.current && focusId && (document.activeElement === document.body || !document.activeElement?.isConnected)) {
      pendingFocus.current = true
    }
  }, [items, focusId])

  useEffect(() => {
    if (!pendingFocus.current || !focusId) return
    const element = cells.current.get(focusId)
    if (element) {
      pendingFocus.current = false
      element.focus({ preventScroll: true })
    }
  })

  const moveTo = useCallback(
    (index: number, how: 'only' | 'range' | 'focus') => {
      const at = Math.min(items.length - 1, Math.max(0, index))
      const target = items[at]
      if (!target) return
      const library = useLibrary.getState()
      if (how === 'focus') library.setFocus(target.id)
      else library.select(target.id, how)
      pendingFocus.current = true
      virtualizer.scrollToIndex(Math.floor(at / columns), { align: 'auto' })
    },
    [items, columns, virtualizer],
  )

  const preview = useCallback(
    (image: LibraryImage) => {
      const list = items.map((i) => toPreviewItem(i, libraryAlt(i, ordinalOf(i))))
      usePreview.getState().open(list, Math.max(0, indexOfImage(items, image.id)))
    },
    [items],
  )

  /** What an action applies to: the selection, or the focused tile when nothing is selected. */
  const targets = (): LibraryImage[] => {
    const chosen = items.filter((i) => selected.has(i.id))
    if (chosen.length) return chosen
    const focused = items[focusIndex]
    return focused ? [focused] : []
  }

  const onKeyDown = (event: KeyboardEvent) => {
    if (items.length === 0) return
    const mod = event.metaKey || event.ctrlKey
    const how = event.shiftKey ? 'range' : mod ? 'focus' : 'only'
    const pageRows = Math.max(1, Math.floor((scroller?.clientHeight ?? rowHeight) / rowHeight))
    const steps: Record<string, number> = {
      ArrowLeft: -1,
      ArrowRight: 1,
      ArrowUp: -columns,
      ArrowDown: columns,
      PageUp: -columns * pageRows,
      PageDown: columns * pageRows,
    }
    const step = steps[event.key]
    if (step !== undefined) {
      event.preventDefault()
      const next = focusIndex + step
      // Up from the first row or down from the last stays put rather than jumping to a corner.
      if (event.key.startsWith('Arrow') && (next < 0 || next >= items.length) && Math.abs(step) > 1) return
      moveTo(next, how)
      return
    }
    // The keyboard's way to the context menu (Chromium does not always raise contextmenu for it).
    if (event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey)) {
      const cell = (event.target as HTMLElement).closest<HTMLElement>('[role="gridcell"]')
      if (!cell) return
      event.preventDefault()
      const rect = cell.getBoundingClientRect()
      cell.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: rect.left + rect.width / 2, clientY: rect.top + rect.height / 2 }))
      return
    }
    switch (event.key) {
      case 'Home':
        event.preventDefault()
        moveTo(mod ? 0 : focusIndex - (focusIndex % columns), how)
        return
      case 'End':
        event.preventDefault()
        moveTo(mod ? items.length - 1 : Math.min(items.length - 1, focusIndex - (focusIndex % columns) + columns - 1), how)
        return
      case ' ': {
        event.preventDefault()
        const focused = items[focusIndex]
        if (!focused) return
        if (mod) useLibrary.getState().select(focused.id, 'toggle')
        else preview(focused)
        return
      }
      case 'Enter': {
        const focused = items[focusIndex]
        if (!focused) return
        event.preventDefault()
        useImageDetail.getState().open(focused)
        return
      }
      case 'Delete':
      case 'Backspace':
        if (scopeKind === 'trash') return
        event.preventDefault()
        void moveToTrash(targets().map((i) => i.id))
        return
      case 'Escape':
        if (selected.size === 0) return
        event.preventDefault()
        useLibrary.getState().clearSelection()
        return
    }
    if (mod && !event.altKey && event.key.toLowerCase() === 'a') {
      event.preventDefault()
      useLibrary.getState().selectAll()
      return
    }
    // Triage: 1–5 rate, 0 clears, P pick, X reject, U unflag.
    const triage = !mod && !event.altKey && scopeKind !== 'trash' ? triageKey(event.key) : null
    if (triage) {
      event.preventDefault()
      void applyTriage(targets().map((i) => i.id), triage)
      return
    }
    if (!mod && !event.altKey && event.key.toLowerCase() === 'c' && canCompare(targets().length)) {
      event.preventDefault()
      useCompare.getState().open(targets())
      return
    }
    if (!mod && !event.altKey && event.key.toLowerCase() === 's' && scopeKind !== 'trash') {
      event.preventDefault()
      void toggleStar(targets().map((i) => i.id))
    }
  }

  const onCellClick = (event: MouseEvent, image: LibraryImage) => {
    const mod = event.metaKey || event.ctrlKey
    useLibrary.getState().select(image.id, event.shiftKey ? (mod ? 'add-range' : 'range') : mod ? 'toggle' : 'only')
  }

  /** Right-click on a tile outside the selection makes it the selection (as file managers do). */
  const onCellContextMenu = (image: LibraryImage) => {
    if (!useLibrary.getState().selected.has(image.id)) useLibrary.getState().select(image.id, 'only')
  }

  const onDragStart = (event: DragEvent, image: LibraryImage) => {
    if (!useLibrary.getState().selected.has(image.id)) useLibrary.getState().select(image.id, 'only')
    const { selected: now } = useLibrary.getState()
    beginImageDrag(event, items.filter((i) => now.has(i.id)))
  }

  const menuTargets = useMemo(() => (selected.size ? items.filter((i) => selected.has(i.id)) : []), [items, selected])

  // Tiles are memoised: their handlers are stable and reach the current render's state through a ref.
  const latest = useRef({ onCellClick, onCellContextMenu, onDragStart, cells })
  latest.current = { onCellClick, onCellContextMenu, onDragStart, cells }
  const actions = useMemo<TileActions>(
    () => ({
      register: (id, element) => {
        if (element) latest.current.cells.current.set(id, element)
        else latest.current.cells.current.delete(id)
      },
      click: (event, image) => latest.current.onCellClick(event, image),
      open: (image) => useImageDetail.getState().open(image),
      contextMenu: (image) => latest.current.onCellContextMenu(image),
      focus: (image) => useLibrary.getState().setFocus(image.id),
      dragStart: (event, image) => latest.current.onDragStart(event, image),
      star: (image) => void setStarred([image.id], !image.starred),
      rate: (image, rating) => void setRating([image.id], rating),
    }),
    [],
  )

  return (
    <ContextMenu.Root modal={false}>
      <ContextMenu.Trigger asChild>
        <div
          ref={setScroller}
          className="lib-scroll"
          data-library-grid // the benchmark's handle on the scrolling grid
          onMouseDown={(event) => {
            // A click on the space between tiles clears the selection.
            if (event.target === event.currentTarget || (event.target as HTMLElement).dataset.gridEmpty !== undefined) {
              useLibrary.getState().clearSelection()
            }
          }}
        >
          <div
            role="grid"
            aria-label="Library"
            aria-multiselectable="true"
            aria-rowcount={nextCursor ? -1 : rowCount}
            aria-colcount={columns}
            className="lib-grid"
            data-grid-empty=""
            style={{ height: virtualizer.getTotalSize() }}
            onKeyDown={onKeyDown}
            onFocus={() => (gridFocused.current = true)}
            onBlur={(event) => {
              // Focus that goes elsewhere (not to nothing, as when the focused tile is removed) leaves the grid.
              if (event.relatedTarget && !event.currentTarget.contains(event.relatedTarget)) gridFocused.current = false
            }}
          >
            {rows.map((row) => (
              <Row
                key={row.key}
                index={row.index}
                start={row.start}
                items={items}
                columns={columns}
                cell={cell}
                height={rowHeight - GAP}
                selected={selected}
                tabStop={tabStop}
                actions={actions}
                inView={!visible || (row.index >= visible.startIndex && row.index <= visible.endIndex)}
              />
            ))}
          </div>
          {loadingMore && (
            <div className="lib-more" role="status">
              Loading more images…
            </div>
          )}
        </div>
      </ContextMenu.Trigger>
      <ContextMenu.Portal>
        <ContextMenu.Content className="menu" collisionPadding={8} onCloseAutoFocus={(event) => {
          // Back to the tile the menu was for, not the grid container.
          event.preventDefault()
          const id = useLibrary.getState().focusId
          if (id) cells.current.get(id)?.focus({ preventScroll: true })
        }}>
          {menuTargets.length > 0 ? (
            <ImageMenuItems kit={ContextMenu} images={menuTargets} onPreview={() => menuTargets[0] && preview(menuTargets[0])} />
          ) : (
            <ContextMenu.Label className="menu-label-row">Select images to act on them</ContextMenu.Label>
          )}
        </ContextMenu.Content>
      </ContextMenu.Portal>
    </ContextMenu.Root>
  )
}

interface TileActions {
  register: (id: string, element: HTMLDivElement | null) => void
  click: (event: MouseEvent, image: LibraryImage) => void
  open: (image: LibraryImage) => void
  contextMenu: (image: LibraryImage) => void
  focus: (image: LibraryImage) => void
  dragStart: (event: DragEvent, image: LibraryImage) => void
  star: (image: LibraryImage) => void
  rate: (image: LibraryImage, rating: number) => void
}

interface RowProps {
  index: number
  start: number
  /** All loaded items: the row shows `columns` of them from `index * columns`. */
  items: readonly LibraryImage[]
  columns: number
  cell: number
  height: number
  selected: ReadonlySet<string>
  tabStop: string | undefined
  actions: TileActions
  /** In the view (not the overscan): its thumbnails are fetched first. */
  inView: boolean
}

/**
 * One row of tiles. Scrolling re-renders the grid, never the rows already shown: a row renders again only when its
 * own images, their selection or the tab stop among them changed (a page appended or a selection elsewhere leaves it be).
 */
const Row = memo(
  function Row({ index, start, items, columns, cell, height, selected, tabStop, actions, inView }: RowProps) {
    const from = index * columns
    const rowItems = items.slice(from, from + columns)
    return (
      <div
        role="row"
        aria-rowindex={index + 1}
        className="lib-row"
        style={{ transform: `translateY(${start}px)`, height, gridTemplateColumns: `repeat(${columns}, ${cell}px)`, gap: GAP }}
      >
        {rowItems.map((image, col) => (
          <Tile key={image.id} image={image} column={col + 1} selected={selected.has(image.id)} tabbable={image.id === tabStop} actions={actions} priority={inView ? 'high' : 'low'} />
        ))}
      </div>
    )
  },
  (a, b) => {
    if (a.index !== b.index || a.start !== b.start || a.columns !== b.columns || a.cell !== b.cell || a.height !== b.height || a.actions !== b.actions) return false
    const from = a.index * a.columns
    for (let i = from; i < from + a.columns; i++) {
      const image = a.items[i]
      if (image !== b.items[i]) return false
      if (!image) continue
      if (a.selected !== b.selected && a.selected.has(image.id) !== b.selected.has(image.id)) return false
      if (a.tabStop !== b.tabStop && (a.tabStop === image.id) !== (b.tabStop === image.id)) return false
    }
    return true // inView only matters when the row mounts (it picks the fetch priority)
  },
)

interface TileProps {
  image: LibraryImage
  column: number
  selected: boolean
  tabbable: boolean
  actions: TileActions
  priority: 'high' | 'low'
}

const Tile = memo(function Tile({ image, column, selected, tabbable, actions, priority }: TileProps) {
  const alt = libraryAlt(image, ordinalOf(image))
  // What only shows under the pointer (the empty stars) or on the focused tile (the caption) is rendered from the
  // first hover or focus on, not for every tile a scroll mounts (it stays once rendered, hidden again by CSS).
  const [hovered, setHovered] = useState(false)
  return (
    <div
      ref={(element) => actions.register(image.id, element)}
      role="gridcell"
      data-image-id={image.id}
      aria-colindex={column}
      aria-selected={selected}
      aria-description={triageDescription(image)}
      tabIndex={tabbable ? 0 : -1}
      className={clsx('lib-tile', selected && 'is-selected', image.starred && 'is-starred', image.pick === -1 && 'is-rejected')}
      draggable
      onClick={(event) => actions.click(event, image)}
      onDoubleClick={() => actions.open(image)}
      onContextMenu={() => actions.contextMenu(image)}
      onFocus={() => actions.focus(image)}
      onDragStart={(event) => actions.dragStart(event, image)}
      onDragEnd={endImageDrag}
      onMouseEnter={hovered ? undefined : () => setHovered(true)}
    >
      <div className="lib-tile-media">
        <Thumbnail src={image.thumbUrl} alt={alt} className="lib-thumb" eager priority={priority} />
      </div>
      {/* Its icons (check, star) are CSS masks (library.css): no SVG elements to mount per tile. */}
      <span className="lib-tile-check" aria-hidden />
      {/* A mouse shortcut; the keyboard's is S, and the state is in the menu and the details. */}
      <span
        className="lib-tile-star"
        aria-hidden
        title={image.starred ? 'Unstar' : 'Star'}
        onClick={(event) => {
          event.stopPropagation()
          actions.star(image)
        }}
        onDoubleClick={(event) => event.stopPropagation()}
      />
      {(hovered || tabbable) && (
        <span className="lib-tile-caption" aria-hidden>
          <span className="lib-tile-prompt">{image.prompt}</span>
          <span className="lib-tile-meta tabular">{`${image.width} × ${image.height} · ${image.format.toUpperCase()}`}</span>
        </span>
      )}
      <TileTriage image={image} rate={actions.rate} allStars={hovered} />
    </div>
  )
})
