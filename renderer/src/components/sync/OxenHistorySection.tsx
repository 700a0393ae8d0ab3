// Settings › Oxen history: brings the account's past image generations into the library (from the Oxen web app or
// another machine). Main imports each generation once, so running it again fetches only what is new.
import { useState } from 'react'
import { CircleAlert, CloudDownload, Loader2 } from 'lucide-react'
import { useShallow } from 'zustand/react/shallow'
import { sortedTasks, useSync } from '../../store/sync'
import { SyncTaskCard } from './SyncTasks'

export function OxenHistorySection() {
  const latest = useSync(useShallow((s) => sortedTasks(s.tasks).find((t) => t.kind === 'import')))
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const running = latest?.state === 'running'

  const start = async () => {
    if (busy || running) return
    setBusy(true)
    setError(null)
    const refused = await useSync.getState().importHistory()
    setBusy(false)
    if (refused) setError(refused.message)
  }

  return (
    <section className="settings-section" aria-labelledby="settings-oxen-history">
      <div className="settings-section-head">
        <h2 id="settings-oxen-history">Oxen history</h2>
        <p className="settings-section-desc">
          Import your past image generations — from the Oxen web app or another machine. Each comes once; run it again to bring only what is new.
        </p>
      </div>
      <div className="settings-card">
        <div className="sync-import-row">
          <button type="button" className="btn btn-secondary" onClick={() => void start()} aria-disabled={busy || running}>
            {busy || running ? <Loader2 className="spin" aria-hidden size={14} /> : <CloudDownload aria-hidden size={14} strokeWidth={1.75} />}
            Import history
          </button>
          <p className="settings-field-desc">Images arrive in the library with their prompts and settings, as if made here.</p>
        </div>
        {error && (
          <p className="feedback feedback-danger" role="alert">
            <CircleAlert aria-hidden size={14} strokeWidth={2} />
            <span>{error}</span>
          </p>
        )}
        {latest && (
          <ul className="sync-task-list" aria-label="History import">
            <SyncTaskCard task={latest} />
          </ul>
        )}
      </div>
    </section>
  )
}
