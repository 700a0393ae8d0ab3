// The slim left rail: the three destinations, as links so the URL hash records where the user is.
import type { MouseEvent } from 'react'
import { Clock3, Settings2, Sparkles, type LucideIcon } from 'lucide-react'
import clsx from 'clsx'
import { hrefFor, useNavigation, type View } from '../store/navigation'
import { useJobs, isRunning } from '../store/jobs'

const DESTINATIONS: { view: View; label: string; icon: LucideIcon }[] = [
  { view: 'create', label: 'Create', icon: Sparkles },
  { view: 'history', label: 'History', icon: Clock3 },
  { view: 'settings', label: 'Settings', icon: Settings2 },
]

export function NavRail() {
  const view = useNavigation((s) => s.view)
  const go = useNavigation((s) => s.go)
  const running = useJobs((s) => Object.values(s.byId).some(isRunning))

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
              className={clsx('rail-item', view === target && 'is-active')}
              aria-current={view === target ? 'page' : undefined}
              onClick={follow(target)}
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
