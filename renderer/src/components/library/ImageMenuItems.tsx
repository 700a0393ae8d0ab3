// The actions on library images, as menu items: the same list in a tile's context menu and in the "More"
// menus, so every action is reachable by mouse and by keyboard (Shift+F10 / the Menu key open the context menu).
import type { ReactNode } from 'react'
import {
  Brush,
  ChevronRight,
  ClipboardCopy,
  CloudUpload,
  Columns2,
  Copy,
  Eye,
  FolderOpen,
  FolderOutput,
  ImagePlus,
  Info,
  LayoutGrid,
  Plus,
  RotateCcw,
  Scaling,
  Shuffle,
  SlidersHorizontal,
  Sparkles,
  SquareDashed,
  Star,
  StarOff,
  Trash2,
  Type,
  X,
  type LucideIcon,
} from 'lucide-react'
import type { ContextMenu, DropdownMenu } from 'radix-ui'
import type { LibraryImage, ModelSummary } from '../../../../shared/domain'
import { formatPrice } from '../../lib/format'
import { useBoardDialog } from '../../store/boardDialog'
import { canCompare, useCompare } from '../../store/compare'
import { slotField } from '../../store/composer'
import { followUp, followUpModels, varyModel } from '../../store/followUps'
import { useImageDetail } from '../../store/imageDetail'
import { useLibrary } from '../../store/library'
import { useSync } from '../../store/sync'
import { currentForm, useModel } from '../../store/model'
import {
  addToBoard,
  copyImage,
  exportImages,
  moveToTrash,
  removeFromBoard,
  restoreImages,
  reuse,
  revealImage,
  setStarred,
  useAsReference,
} from '../../store/libraryActions'
import { TriageMenuItems } from './Triage'

type MenuKit = typeof ContextMenu | typeof DropdownMenu

interface ImageMenuItemsProps {
  kit: MenuKit
  images: LibraryImage[]
  /** Opens the quick preview of the first image (the grid knows the set to step through). */
  onPreview?: () => void
  /** Leave out "Open details" (the details dialog's own menu). */
  inDetails?: boolean
}

function Item({ kit: Kit, icon: Icon, children, shortcut, onSelect, danger }: { kit: MenuKit; icon: LucideIcon; children: ReactNode; shortcut?: string; onSelect: () => void; danger?: boolean }) {
  return (
    <Kit.Item className={danger ? 'menu-item menu-item-danger' : 'menu-item'} onSelect={onSelect}>
      <Icon className="menu-icon" aria-hidden size={14} strokeWidth={1.75} />
      <span className="menu-label">{children}</span>
      {shortcut && (
        <span className="menu-shortcut" aria-hidden>
          {shortcut}
        </span>
      )}
    </Kit.Item>
  )
}

/** A submenu of the models a follow-up can use (most recently picked first), each with its price. */
function ModelsSub({ kit: Kit, icon: Icon, label, models, onPick }: { kit: MenuKit; icon: LucideIcon; label: string; models: ModelSummary[]; onPick: (modelId: string) => void }) {
  if (models.length === 0) return null
  return (
    <Kit.Sub>
      <Kit.SubTrigger className="menu-item">
        <Icon className="menu-icon" aria-hidden size={14} strokeWidth={1.75} />
        <span className="menu-label">{label}</span>
        <ChevronRight className="menu-chevron" aria-hidden size={14} strokeWidth={1.75} />
      </Kit.SubTrigger>
      <Kit.Portal>
        <Kit.SubContent className="menu" sideOffset={4} alignOffset={-4} collisionPadding={8}>
          {models.map((model) => (
            <Kit.Item key={model.id} className="menu-item" onSelect={() => onPick(model.id)}>
              <span className="menu-label">{model.displayName}</span>
              {formatPrice(model.price) && <span className="menu-shortcut">{formatPrice(model.price)}</span>}
            </Kit.Item>
          ))}
        </Kit.SubContent>
      </Kit.Portal>
    </Kit.Sub>
  )
}

/** Upscale ▸, Edit with ▸ and Vary: the composer opens on the model with this image as its input. */
function FollowUpItems({ kit: Kit, image }: { kit: MenuKit; image: LibraryImage }) {
  const catalogue = useModel((s) => s.catalogue)
  const recent = useModel((s) => s.recent)
  const vary = varyModel(catalogue, image, recent)
  return (
    <>
      <Kit.Separator className="menu-separator" />
      <ModelsSub kit={Kit} icon={Scaling} label="Upscale" models={followUpModels(catalogue, 'upscale', recent)} onPick={(id) => void followUp(image, 'upscale', id)} />
      <ModelsSub kit={Kit} icon={Brush} label="Edit with" models={followUpModels(catalogue, 'edit', recent)} onPick={(id) => void followUp(image, 'edit', id)} />
      {vary && (
        <Item kit={Kit} icon={Shuffle} onSelect={() => void followUp(image, 'vary', vary.id)}>
          Vary{vary.id === image.modelId ? '' : ` with ${vary.displayName}`}
        </Item>
      )}
    </>
  )
}

export function ImageMenuItems({ kit: Kit, images, onPreview, inDetails }: ImageMenuItemsProps) {
  const boards = useLibrary((s) => s.facets?.boards ?? [])
  const scope = useLibrary((s) => s.scope)
  const showBoardDialog = useBoardDialog((s) => s.show)
  // The composer's model takes a mask: a single image can be it.
  const takesMask = useModel((s) => slotField(currentForm(s), 'mask') !== undefined)
  const ids = images.map((i) => i.id)
  const one = images.length === 1 ? images[0] : undefined
  const trashed = images.length > 0 && images.every((i) => i.trashedAt !== undefined)
  const allStarred = images.length > 0 && images.every((i) => i.starred)
  const currentBoard = scope.kind === 'board' ? boards.find((b) => b.id === scope.boardId) : undefined
  const n = images.length
  const these = n === 1 ? '' : ` (${n})`

  return (
    <>
      {n > 1 && <Kit.Label className="menu-label-row">{n} images selected</Kit.Label>}
      {one && !inDetails && (
        <Item kit={Kit} icon={Info} shortcut="Enter" onSelect={() => useImageDetail.getState().open(one)}>
          Open details
        </Item>
      )}
      {one && onPreview && (
        <Item kit={Kit} icon={Eye} shortcut="Space" onSelect={onPreview}>
          Preview
        </Item>
      )}
      {one && (
        <>
          {!inDetails && <Kit.Separator className="menu-separator" />}
          <Item kit={Kit} icon={Sparkles} onSelect={() => void reuse(one, 'all')}>
            Reuse all settings
          </Item>
          <Item kit={Kit} icon={Type} onSelect={() => void reuse(one, 'prompt')}>
            Reuse prompt
          </Item>
          <Item kit={Kit} icon={SlidersHorizontal} onSelect={() => void reuse(one, 'params')}>
            Reuse parameters
          </Item>
        </>
      )}
      {one && !trashed && <FollowUpItems kit={Kit} image={one} />}
      {canCompare(n) && (
        <Item kit={Kit} icon={Columns2} shortcut="C" onSelect={() => useCompare.getState().open(images)}>
          Compare side by side
        </Item>
      )}
      <Item kit={Kit} icon={ImagePlus} onSelect={() => void useAsReference(ids)}>
        Use as reference{these}
      </Item>
      {one && takesMask && (
        <Item kit={Kit} icon={SquareDashed} onSelect={() => void useAsReference([one.id], 'mask')}>
          Use as mask
        </Item>
      )}
      <Kit.Separator className="menu-separator" />
      {!trashed && (
        <Item kit={Kit} icon={allStarred ? StarOff : Star} shortcut="S" onSelect={() => void setStarred(ids, !allStarred)}>
          {allStarred ? 'Unstar' : 'Star'}
          {these}
        </Item>
      )}
      {!trashed && <TriageMenuItems kit={Kit} images={images} />}
      {!trashed && (
        <Kit.Sub>
          <Kit.SubTrigger className="menu-item">
            <LayoutGrid className="menu-icon" aria-hidden size={14} strokeWidth={1.75} />
            <span className="menu-label">Add to board</span>
            <ChevronRight className="menu-chevron" aria-hidden size={14} strokeWidth={1.75} />
          </Kit.SubTrigger>
          <Kit.Portal>
            <Kit.SubContent className="menu" sideOffset={4} alignOffset={-4} collisionPadding={8}>
              {boards.map((board) => (
                <Item key={board.id} kit={Kit} icon={LayoutGrid} onSelect={() => void addToBoard(board, ids)}>
                  {board.name}
                </Item>
              ))}
              {boards.length > 0 && <Kit.Separator className="menu-separator" />}
              <Item kit={Kit} icon={Plus} onSelect={() => showBoardDialog({ kind: 'create', imageIds: ids })}>
                New board…
              </Item>
            </Kit.SubContent>
          </Kit.Portal>
        </Kit.Sub>
      )}
      {currentBoard && (
        <Item kit={Kit} icon={X} onSelect={() => void removeFromBoard(currentBoard, ids)}>
          Remove from “{currentBoard.name}”
        </Item>
      )}
      <Kit.Separator className="menu-separator" />
      {one && (
        <>
          <Item kit={Kit} icon={ClipboardCopy} onSelect={() => void copyImage(one)}>
            Copy image
          </Item>
          <Item kit={Kit} icon={FolderOpen} onSelect={() => void revealImage(one)}>
            Reveal in folder
          </Item>
        </>
      )}
      <Kit.Sub>
        <Kit.SubTrigger className="menu-item">
          <FolderOutput className="menu-icon" aria-hidden size={14} strokeWidth={1.75} />
          <span className="menu-label">Export{these}</span>
          <ChevronRight className="menu-chevron" aria-hidden size={14} strokeWidth={1.75} />
        </Kit.SubTrigger>
        <Kit.Portal>
          <Kit.SubContent className="menu" sideOffset={4} alignOffset={-4} collisionPadding={8}>
            <Item kit={Kit} icon={FolderOutput} onSelect={() => void exportImages(ids, 'folder')}>
              To a folder…
            </Item>
            <Item kit={Kit} icon={Copy} onSelect={() => void exportImages(ids, 'zip')}>
              As a zip file…
            </Item>
          </Kit.SubContent>
        </Kit.Portal>
      </Kit.Sub>
      {!trashed && (
        <Item kit={Kit} icon={CloudUpload} onSelect={() => useSync.getState().openPush({ kind: 'images', imageIds: ids, name: currentBoard?.name ?? null })}>
          Push to Oxen…{these}
        </Item>
      )}
      <Kit.Separator className="menu-separator" />
      {trashed ? (
        <Item kit={Kit} icon={RotateCcw} onSelect={() => void restoreImages(ids)}>
          Restore{these}
        </Item>
      ) : (
        <Item kit={Kit} icon={Trash2} shortcut="Del" danger onSelect={() => void moveToTrash(ids)}>
          Move to trash{these}
        </Item>
      )}
    </>
  )
}
