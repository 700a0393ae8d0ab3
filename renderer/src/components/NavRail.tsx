// The slim left rail: the three destinations, as links so the URL hash records where the user is.
// Library images dragged onto Create open it after a moment (to drop them on the composer) or, dropped right
// there, become reference images.
import { useRef, useState, type DragEvent, type MouseEvent } from 'react'
import { Images, Settings2, Sparkles, type LucideIcon } from 'lucide-react'
import clsx from 'clsx'
import { draggedImageIds, finishImageDrop } from '../lib/imageDrag'
import { useAsReference } from '../store/libraryActions'
import { hrefFor, useNavigation, type View } from '../store/navigation'
import { useJobs, isRunning } from '../store/jobs'

const DESTINATIONS: { view: View; label: string; icon: LucideIcon }[] = [
  { view: 'create', label: 'Create', icon: Sparkles },
  { view: 'library', label: 'Library', icon: Images },
  { view: 'settings', label: 'Settings', icon: Settings2 },
]

/** How long a drag rests on Create before Create opens. */
const SPRING_MS = 600

function useCreateDropTarget() {
  const go = useNavigation((s) => s.go)
  const [over, setOver] = useState(false)
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  const leave = () => {
    clearTimeout(timer.current)
    setOver(false)
  }
  return {
    over,
    handlers: {
      onDragEnter: (event: DragEvent) => {
        if (!draggedImageIds(event)) return
        event.preventDefault()
        setOver(true)
        clearTimeout(timer.current)
        timer.current = setTimeout(() => go('create'), SPRING_MS)
      },
      onDragOver: (event: DragEvent) => {
        if (!draggedImageIds(event)) return
        event.preventDefault()
        event.dataTransfer.dropEffect = 'copy'
      },
      onDragLeave: leave,
      onDrop: (event: DragEvent) => {
        const ids = draggedImageIds(event)
        leave()
        if (!ids) return
        event.preventDefault()
        finishImageDrop()
        go('create')
        void useAsReference(ids)
      },
    },
  }
}

export function NavRail() {
  const view = useNavigation((s) => s.view)
  const go = useNavigation((s) => s.go)
  const running = useJobs((s) => Object.values(s.byId).some(isRunning))
  const createDrop = useCreateDropTarget()

  const follow = (target: View) => (event: MouseEvent) => {
    event.preventDefault()
    go(target)
  }

  return (
    <nav className="rail" aria-label="Main">
      <div className="rail-logo" aria-hidden>
        <svg viewBox="0 0 24 24" width="22" height="22">
          <rect x="2" y="2" width="20" height="20" rx="6" fill="var(--accent)" />
          <path d="M7.5 16.5 12 6.5l4.5 10M9.2 12.9h5.6" stroke="#fff" strokeWidth="1.9" fill="none" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </div>
      <ul className="rail-list">
        {DESTINATIONS.map(({ view: target, label, icon: Icon }) => (
          <li key={target}>
            <a
              href={hrefFor(target)}
              className={clsx('rail-item', view === target && 'is-active', target === 'create' && createDrop.over && 'is-drop-target')}
              aria-current={view === target ? 'page' : undefined}
              onClick={follow(target)}
              {...(target === 'create' ? createDrop.handlers : {})}
            >
              <span className="rail-icon">
                <Icon aria-hidden size={18} strokeWidth={1.75} />
                {target === 'create' && running && <span className="rail-activity" aria-hidden />}
              </span>
              <span className="rail-label">{label}</span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  )
}
