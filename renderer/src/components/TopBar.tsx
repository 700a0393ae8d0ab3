// The top bar: whether a key is in place (click to fix it). The model is chosen in the composer.
import { KeyRound } from 'lucide-react'
import clsx from 'clsx'
import { useNavigation } from '../store/navigation'
import { useSecrets } from '../store/secrets'
import { Hint } from './Hint'

function KeyStatusPill() {
  const status = useSecrets((s) => s.status)
  const go = useNavigation((s) => s.go)
  if (!status) return <span className="pill pill-neutral">Checking key…</span>

  const { tone, text, hint } = {
    stored: { tone: 'success', text: 'Key saved', hint: 'Your Oxen API key is saved in your system keychain.' },
    absent: { tone: 'warning', text: 'No API key', hint: 'Add your Oxen API key in Settings to start generating.' },
    'session-only': {
      tone: 'warning',
      text: 'Key for this session only',
      hint: status.detail ?? 'Your key is kept only until Atelier quits.',
    },
  }[status.state]

  return (
    <Hint content={hint} side="bottom">
      <button type="button" className={clsx('pill', `pill-${tone}`)} onClick={() => go('settings')}>
        <span className="pill-dot" aria-hidden />
        <KeyRound aria-hidden size={12} strokeWidth={2} />
        {text}
      </button>
    </Hint>
  )
}

export function TopBar() {
  return (
    <header className="topbar">
      <div className="topbar-spacer" />
      <KeyStatusPill />
    </header>
  )
}
