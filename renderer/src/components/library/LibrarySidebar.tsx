// The library's left column: what to look at (all, starred, trash, a board) and what to narrow it to
// (rating and flag, model, size, aspect ratio, format). Boards are made, renamed and deleted here, and images dropped on one join it.
import { useState, type DragEvent, type ReactNode } from 'react'
import { Check, ChevronRight, CloudDownload, CloudUpload, Images, LayoutGrid, MoreHorizontal, Pencil, Plus, Star, Trash2, type LucideIcon } from 'lucide-react'
import { Checkbox, Collapsible, ContextMenu, DropdownMenu } from 'radix-ui'
import clsx from 'clsx'
import { useShallow } from 'zustand/react/shallow'
import type { Board } from '../../../../shared/domain'
import { draggedImageIds, finishImageDrop } from '../../lib/imageDrag'
import { formatOption } from '../../lib/format'
import { useBoardDialog } from '../../store/boardDialog'
import { useLibrary, type FacetKind, type Scope } from '../../store/library'
import { addToBoard } from '../../store/libraryActions'
import { findModel, useModel } from '../../store/model'
import { useSync } from '../../store/sync'
import { SyncTasks } from '../sync/SyncTasks'
import { IconButton } from '../IconButton'
import { TriageFilters } from './Triage'

function ScopeItem({ scope, icon: Icon, label, count, children }: { scope: Scope; icon: LucideIcon; label: string; count?: number; children?: ReactNode }) {
  const current = useLibrary((s) => s.scope)
  const setScope = useLibrary((s) => s.setScope)
  const active = current.kind === scope.kind && (scope.kind !== 'board' || (current.kind === 'board' && current.boardId === scope.boardId))
  return (
    <button
      type="button"
      className={clsx('side-item', active && 'is-active')}
      aria-current={active ? 'true' : undefined}
      aria-description={count !== undefined ? `${count} ${count === 1 ? 'image' : 'images'}` : undefined}
      onClick={() => setScope(scope)}
    >
      <Icon className="side-icon" aria-hidden size={15} strokeWidth={1.75} />
      <span className="side-label">{label}</span>
      {children}
      {count !== undefined && (
        <span className="side-count tabular" aria-hidden>
          {count.toLocaleString()}
        </span>
      )}
    </button>
  )
}

function BoardItem({ board }: { board: Board }) {
  const show = useBoardDialog((s) => s.show)
  const [over, setOver] = useState(false)
  const dropHandlers = {
    onDragEnter: (event: DragEvent) => {
      if (!draggedImageIds(event)) return
      event.preventDefault()
      setOver(true)
    },
    onDragOver: (event: DragEvent) => {
      if (!draggedImageIds(event)) return
      event.preventDefault()
      event.dataTransfer.dropEffect = 'copy'
    },
    onDragLeave: () => setOver(false),
    onDrop: (event: DragEvent) => {
      setOver(false)
      const ids = draggedImageIds(event)
      if (!ids) return
      event.preventDefault()
      finishImageDrop()
      void addToBoard(board, ids)
    },
  }
  const menu = (Kit: typeof ContextMenu | typeof DropdownMenu) => (
    <>
      <Kit.Item className="menu-item" onSelect={() => show({ kind: 'rename', board })}>
        <Pencil className="menu-icon" aria-hidden size={14} strokeWidth={1.75} />
        <span className="menu-label">Rename…</span>
      </Kit.Item>
      <Kit.Item className="menu-item" onSelect={() => useSync.getState().openPush({ kind: 'board', boardId: board.id, name: board.name, count: board.count })}>
        <CloudUpload className="menu-icon" aria-hidden size={14} strokeWidth={1.75} />
        <span className="menu-label">Push to Oxen…</span>
      </Kit.Item>
      <Kit.Item className="menu-item menu-item-danger" onSelect={() => show({ kind: 'delete', board })}>
        <Trash2 className="menu-icon" aria-hidden size={14} strokeWidth={1.75} />
        <span className="menu-label">Delete…</span>
      </Kit.Item>
    </>
  )
  return (
    <li className={clsx('side-board', over && 'is-drop-target')} {...dropHandlers}>
      <ContextMenu.Root modal={false}>
        <ContextMenu.Trigger asChild>
          <div>
            <ScopeItem scope={{ kind: 'board', boardId: board.id }} icon={LayoutGrid} label={board.name} count={board.count} />
          </div>
        </ContextMenu.Trigger>
        <ContextMenu.Portal>
          <ContextMenu.Content className="menu" collisionPadding={8}>
            {menu(ContextMenu)}
          </ContextMenu.Content>
        </ContextMenu.Portal>
      </ContextMenu.Root>
      <DropdownMenu.Root modal={false}>
        <DropdownMenu.Trigger asChild>
          <button type="button" className="side-board-more icon-btn icon-btn-sm" aria-label={`Board options: ${board.name}`}>
            <MoreHorizontal aria-hidden size={14} strokeWidth={1.75} />
          </button>
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content className="menu" align="start" side="right" sideOffset={4} collisionPadding={8}>
            {menu(DropdownMenu)}
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
    </li>
  )
}

const FACETS: { kind: FacetKind; title: string; facet: 'modelIds' | 'sizes' | 'aspects' | 'formats' }[] = [
  { kind: 'modelIds', title: 'Model', facet: 'modelIds' },
  { kind: 'sizes', title: 'Size', facet: 'sizes' },
  { kind: 'aspects', title: 'Aspect ratio', facet: 'aspects' },
  { kind: 'formats', title: 'Format', facet: 'formats' },
]

const FORMAT_NAMES: Record<string, string> = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP' }

function FacetSection({ kind, title, options }: { kind: FacetKind; title: string; options: string[] }) {
  const chosen = useLibrary((s) => s[kind])
  const { toggleFacet, clearFacet } = useLibrary(useShallow((s) => ({ toggleFacet: s.toggleFacet, clearFacet: s.clearFacet })))
  const catalogue = useModel((s) => s.catalogue)
  const [open, setOpen] = useState(true)
  const label = (value: string) => {
    if (kind === 'formats') return FORMAT_NAMES[value] ?? formatOption('format', value)
    if (kind === 'modelIds') return findModel(catalogue, value)?.displayName ?? value
    return value
  }
  // A chosen value the facets no longer list (its last image went) stays visible so it can be unticked.
  const values = [...options, ...chosen.filter((c) => !options.includes(c))]
  return (
    <Collapsible.Root className="side-section" open={open} onOpenChange={setOpen}>
      <div className="side-section-head">
        <Collapsible.Trigger className="side-section-trigger">
          <ChevronRight className="side-chevron" aria-hidden size={13} strokeWidth={2} />
          {title}
          {chosen.length > 0 && <span className="side-active-dot" aria-label={`${chosen.length} chosen`} />}
        </Collapsible.Trigger>
        {chosen.length > 0 && (
          <button type="button" className="side-clear" onClick={() => clearFacet(kind)} aria-label={`Clear ${title.toLowerCase()} filter`}>
            Clear
          </button>
        )}
      </div>
      <Collapsible.Content className="side-section-body">
        <ul className="side-options" aria-label={title}>
          {values.map((value) => {
            const id = `facet-${kind}-${value}`
            return (
              <li key={value}>
                <label className="side-option" htmlFor={id}>
                  <Checkbox.Root id={id} className="checkbox" checked={chosen.includes(value)} onCheckedChange={() => toggleFacet(kind, value)}>
                    <Checkbox.Indicator className="checkbox-indicator">
                      <Check size={11} strokeWidth={3} />
                    </Checkbox.Indicator>
                  </Checkbox.Root>
                  <span className={clsx('side-option-label', kind === 'modelIds' && label(value) === value && 'mono')}>{label(value)}</span>
                </label>
              </li>
            )
          })}
        </ul>
      </Collapsible.Content>
    </Collapsible.Root>
  )
}

export function LibrarySidebar() {
  const facets = useLibrary((s) => s.facets)
  const show = useBoardDialog((s) => s.show)
  const chosen = useLibrary(useShallow((s) => ({ modelIds: s.modelIds, sizes: s.sizes, aspects: s.aspects, formats: s.formats })))
  const counts = facets?.counts
  const boards = facets?.boards ?? []

  return (
    <aside className="lib-side" aria-label="Library filters">
      <div className="side-group">
        <ScopeItem scope={{ kind: 'all' }} icon={Images} label="All images" {...(counts ? { count: counts.all } : {})} />
        <ScopeItem scope={{ kind: 'starred' }} icon={Star} label="Starred" {...(counts ? { count: counts.starred } : {})} />
        <ScopeItem scope={{ kind: 'trash' }} icon={Trash2} label="Trash" {...(counts ? { count: counts.trash } : {})} />
      </div>

      <div className="side-group">
        <div className="side-heading">
          <h2 id="boards-heading">Boards</h2>
          <span className="side-heading-actions">
            <IconButton label="Pull from Oxen…" icon={CloudDownload} size="sm" onClick={() => useSync.getState().openPull()} />
            <IconButton label="New board" icon={Plus} size="sm" onClick={() => show({ kind: 'create', imageIds: [] })} />
          </span>
        </div>
        {boards.length === 0 ? (
          <p className="side-empty">Group images into boards: choose + or “Add to board” on any image.</p>
        ) : (
          <ul className="side-boards" aria-labelledby="boards-heading">
            {boards.map((board) => (
              <BoardItem key={board.id} board={board} />
            ))}
          </ul>
        )}
      </div>

      <div className="side-group side-filters">
        <div className="side-heading">
          <h2>Filters</h2>
        </div>
        <TriageFilters />
        {FACETS.map(({ kind, title, facet }) => {
          const options = facets?.[facet] ?? []
          return options.length > 0 || chosen[kind].length > 0 ? <FacetSection key={kind} kind={kind} title={title} options={options} /> : null
        })}
        {!facets && <p className="side-empty">Loading filters…</p>}
      </div>
      <SyncTasks />
    </aside>
  )
}
