// Triage: ratings (1–5 stars) and flags (pick / reject) on a tile, in the image details and in the sidebar's
// filters. The keys (1–5, 0, P, X, U) are handled by the grid and the details dialog through `triageKey`.
import { useState, type MouseEvent, type ReactNode } from 'react'
import { Check, ChevronRight, Flag, FlagOff, ListChecks, Star, StarOff, X, type LucideIcon } from 'lucide-react'
import { Collapsible, ToggleGroup, type ContextMenu, type DropdownMenu } from 'radix-ui'
import clsx from 'clsx'
import { useShallow } from 'zustand/react/shallow'
import type { LibraryImage } from '../../../../shared/domain'
import { useLibrary, type PickFilter } from '../../store/library'
import { keepPicksTrashRest, setPick, setRating } from '../../store/libraryActions'

const STARS = [1, 2, 3, 4, 5] as const

export const starsLabel = (n: number) => `${n} ${n === 1 ? 'star' : 'stars'}`

/** What a tile says of its triage to a screen reader ("Rated 3 stars, Pick"); undefined when there is none. */
export function triageDescription(image: LibraryImage): string | undefined {
  const parts = [
    image.starred ? 'Starred' : '',
    image.rating > 0 ? `Rated ${starsLabel(image.rating)}` : '',
    image.pick === 1 ? 'Pick' : image.pick === -1 ? 'Rejected' : '',
  ].filter(Boolean)
  return parts.length ? parts.join(', ') : undefined
}

const stop = (event: MouseEvent) => event.stopPropagation()

/**
 * The tile's flag and stars, bottom left: shown when set, and on hover with the empty stars too, so a click
 * rates (a click on the current rating clears it). A mouse shortcut: the state is in the tile's description.
 * The icons are CSS masks (library.css), not SVG elements: a grid row mounts a few elements per tile, not dozens.
 * `allStars` false renders only the stars given (all CSS shows at rest); the grid sets it once the pointer came by.
 */
export function TileTriage({ image, rate, allStars = true }: { image: LibraryImage; rate: (image: LibraryImage, rating: number) => void; allStars?: boolean }) {
  const set = image.rating > 0 || image.pick !== 0
  return (
    <span className={clsx('lib-tile-triage', set && 'is-set')} aria-hidden onDoubleClick={stop}>
      {image.pick === 1 && <span className="lib-tile-flag is-pick" />}
      {image.pick === -1 && <span className="lib-tile-flag is-reject" />}
      <span className="lib-tile-stars">
        {(allStars ? STARS : STARS.slice(0, image.rating)).map((n) => (
          <span
            key={n}
            className={n <= image.rating ? 'lib-tile-rate is-on' : 'lib-tile-rate'}
            title={n === image.rating ? 'Clear the rating' : `Rate ${starsLabel(n)}`}
            onClick={(event) => {
              event.stopPropagation()
              rate(image, n === image.rating ? 0 : n)
            }}
          />
        ))}
      </span>
    </span>
  )
}

/** The details' rating and flag: five star buttons (the current one again clears) and Pick / Reject toggles. */
export function TriageControls({ image }: { image: LibraryImage }) {
  return (
    <div className="detail-triage">
      <div className="detail-stars" role="group" aria-label="Rating">
        {STARS.map((n) => (
          <button
            key={n}
            type="button"
            className={clsx('detail-star', n <= image.rating && 'is-on')}
            aria-label={starsLabel(n)}
            aria-pressed={image.rating === n}
            title={n === image.rating ? `${starsLabel(n)} (${n}) · choose again to clear (0)` : `${starsLabel(n)} (${n})`}
            onClick={() => void setRating([image.id], image.rating === n ? 0 : n)}
          >
            <Star aria-hidden size={15} strokeWidth={1.75} />
          </button>
        ))}
      </div>
      <div className="detail-flags" role="group" aria-label="Flag">
        <button
          type="button"
          className={clsx('detail-flag', image.pick === 1 && 'is-pick')}
          aria-pressed={image.pick === 1}
          title={image.pick === 1 ? 'Unflag (U)' : 'Pick (P)'}
          onClick={() => void setPick([image.id], image.pick === 1 ? 0 : 1)}
        >
          <Flag aria-hidden size={13} strokeWidth={1.75} />
          Pick
        </button>
        <button
          type="button"
          className={clsx('detail-flag', image.pick === -1 && 'is-reject')}
          aria-pressed={image.pick === -1}
          title={image.pick === -1 ? 'Unflag (U)' : 'Reject (X)'}
          onClick={() => void setPick([image.id], image.pick === -1 ? 0 : -1)}
        >
          <X aria-hidden size={13} strokeWidth={2} />
          Reject
        </button>
      </div>
    </div>
  )
}

const PICK_OPTIONS: { value: PickFilter; label: string }[] = [
  { value: 'picked', label: 'Picks' },
  { value: 'unrejected', label: 'No rejects' },
  { value: 'rejected', label: 'Rejects' },
]

/** Chip text for the toolbar's active filters. */
export const minRatingChip = (n: number) => `${starsLabel(n)} & up`
export const pickChip = (pick: PickFilter) => PICK_OPTIONS.find((o) => o.value === pick)!.label

/** The sidebar's rating filter (at least N stars; the current one again clears) and flag filter. */
export function TriageFilters() {
  const { minRating, pick, setTriageFilter } = useLibrary(
    useShallow((s) => ({ minRating: s.minRating, pick: s.pick, setTriageFilter: s.setTriageFilter })),
  )
  const [open, setOpen] = useState(true)
  const active = minRating > 0 || pick !== null
  return (
    <Collapsible.Root className="side-section" open={open} onOpenChange={setOpen}>
      <div className="side-section-head">
        <Collapsible.Trigger className="side-section-trigger">
          <ChevronRight className="side-chevron" aria-hidden size={13} strokeWidth={2} />
          Rating and flag
          {active && <span className="side-active-dot" aria-label="filtered" />}
        </Collapsible.Trigger>
        {active && (
          <button type="button" className="side-clear" aria-label="Clear rating and flag filters" onClick={() => setTriageFilter({ minRating: 0, pick: null })}>
            Clear
          </button>
        )}
      </div>
      <Collapsible.Content className="side-section-body side-triage">
        <div className="side-stars" role="group" aria-label="Minimum rating">
          {STARS.map((n) => (
            <button
              key={n}
              type="button"
              className={clsx('side-star', n <= minRating && 'is-on')}
              aria-label={`At least ${starsLabel(n)}`}
              aria-pressed={minRating === n}
              title={minRating === n ? 'Any rating' : `${starsLabel(n)} and up`}
              onClick={() => setTriageFilter({ minRating: minRating === n ? 0 : n })}
            >
              <Star aria-hidden size={14} strokeWidth={1.75} />
            </button>
          ))}
          <span className="side-stars-note" aria-hidden>
            {minRating ? '& up' : 'Any'}
          </span>
        </div>
        <ToggleGroup.Root
          type="single"
          className="segmented side-flags"
          aria-label="Flag"
          value={pick ?? ''}
          // A click on the chosen one clears it: every image, whatever its flag.
          onValueChange={(next) => setTriageFilter({ pick: (next || null) as PickFilter | null })}
        >
          {PICK_OPTIONS.map((o) => (
            <ToggleGroup.Item key={o.value} value={o.value} className="segmented-item">
              {o.label}
            </ToggleGroup.Item>
          ))}
        </ToggleGroup.Root>
      </Collapsible.Content>
    </Collapsible.Root>
  )
}

type MenuKit = typeof ContextMenu | typeof DropdownMenu

function MenuItem({ kit: Kit, icon: Icon, children, shortcut, onSelect }: { kit: MenuKit; icon: LucideIcon; children: ReactNode; shortcut?: string; onSelect: () => void }) {
  return (
    <Kit.Item className="menu-item" onSelect={onSelect}>
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

/**
 * The image menus' triage items: Rate ▸ (5 … 1 stars, No rating), Pick, Reject, Unflag, and for one image whose job
 * has picks, "Keep this job’s picks, trash the rest".
 */
export function TriageMenuItems({ kit: Kit, images }: { kit: MenuKit; images: LibraryImage[] }) {
  const items = useLibrary((s) => s.items)
  const ids = images.map((i) => i.id)
  const one = images.length === 1 ? images[0] : undefined
  const rating = images.every((i) => i.rating === images[0]?.rating) ? images[0]?.rating : undefined
  const flagged = images.some((i) => i.pick !== 0)
  const jobHasPicks = one !== undefined && (one.pick === 1 || items.some((i) => i.jobId === one.jobId && i.pick === 1 && i.trashedAt === undefined))
  return (
    <>
      <Kit.Sub>
        <Kit.SubTrigger className="menu-item">
          <Star className="menu-icon" aria-hidden size={14} strokeWidth={1.75} />
          <span className="menu-label">Rate</span>
          <ChevronRight className="menu-chevron" aria-hidden size={14} strokeWidth={1.75} />
        </Kit.SubTrigger>
        <Kit.Portal>
          <Kit.SubContent className="menu" sideOffset={4} alignOffset={-4} collisionPadding={8}>
            {[5, 4, 3, 2, 1].map((n) => (
              <MenuItem key={n} kit={Kit} icon={rating === n ? Check : Star} shortcut={String(n)} onSelect={() => void setRating(ids, n)}>
                {starsLabel(n)}
              </MenuItem>
            ))}
            <Kit.Separator className="menu-separator" />
            <MenuItem kit={Kit} icon={rating === 0 ? Check : StarOff} shortcut="0" onSelect={() => void setRating(ids, 0)}>
              No rating
            </MenuItem>
          </Kit.SubContent>
        </Kit.Portal>
      </Kit.Sub>
      <MenuItem kit={Kit} icon={Flag} shortcut="P" onSelect={() => void setPick(ids, 1)}>
        Pick
      </MenuItem>
      <MenuItem kit={Kit} icon={X} shortcut="X" onSelect={() => void setPick(ids, -1)}>
        Reject
      </MenuItem>
      {flagged && (
        <MenuItem kit={Kit} icon={FlagOff} shortcut="U" onSelect={() => void setPick(ids, 0)}>
          Unflag
        </MenuItem>
      )}
      {one && jobHasPicks && one.jobCount > 1 && (
        <MenuItem kit={Kit} icon={ListChecks} onSelect={() => void keepPicksTrashRest(one)}>
          Keep this job’s picks, trash the rest
        </MenuItem>
      )}
    </>
  )
}
