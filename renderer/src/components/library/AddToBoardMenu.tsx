// "Add to board": a menu of boards plus "New board…", shared by the selection toolbar and the detail view.
import type { ReactNode } from 'react'
import { ChevronDown, LayoutGrid, Plus } from 'lucide-react'
import { DropdownMenu } from 'radix-ui'
import type { Board } from '../../../../shared/domain'
import { useBoardDialog } from '../../store/boardDialog'
import { addToBoard } from '../../store/libraryActions'

export function AddToBoardMenu({ ids, boards, icon }: { ids: string[]; boards: Board[]; icon: ReactNode }) {
  const show = useBoardDialog((s) => s.show)
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger asChild>
        <button type="button" className="btn btn-ghost btn-sm">
          {icon}
          Add to board
          <ChevronDown aria-hidden size={12} strokeWidth={2} />
        </button>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu" align="start" sideOffset={4} collisionPadding={8}>
          {boards.map((board) => (
            <DropdownMenu.Item key={board.id} className="menu-item" onSelect={() => void addToBoard(board, ids)}>
              <LayoutGrid className="menu-icon" aria-hidden size={14} strokeWidth={1.75} />
              <span className="menu-label">{board.name}</span>
            </DropdownMenu.Item>
          ))}
          {boards.length > 0 && <DropdownMenu.Separator className="menu-separator" />}
          <DropdownMenu.Item className="menu-item" onSelect={() => show({ kind: 'create', imageIds: ids })}>
            <Plus className="menu-icon" aria-hidden size={14} strokeWidth={1.75} />
            <span className="menu-label">New board…</span>
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  )
}
