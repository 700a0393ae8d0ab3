// Settings: the API key (write-only from here), appearance, where Atelier connects, and diagnostics.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type FormEvent } from 'react'
import {
  CircleCheck,
  ClipboardCopy,
  CloudUpload,
  FileCode2,
  FolderOpen,
  KeyRound,
  Loader2,
  Monitor,
  Moon,
  RotateCw,
  Sun,
  CircleAlert,
  Trash2,
  PlugZap,
} from 'lucide-react'
import { AlertDialog, ToggleGroup } from 'radix-ui'
import clsx from 'clsx'
import type { ReferenceSupply, Settings } from '../../../shared/domain'
import { CONCURRENCY_LIMITS } from '../../../shared/limits'
import { api, isDesktop } from '../bridge'
import { Callout } from '../components/Callout'
import { AlertDialogActions } from '../components/DialogActions'
import { IconButton } from '../components/IconButton'
import { NumberStepper } from '../components/NumberStepper'
import { OxenHistorySection } from '../components/sync/OxenHistorySection'
import { settle } from '../lib/request'
import { copyText } from '../store/libraryActions'
import { useSecrets } from '../store/secrets'
import { useSettings } from '../store/settings'
import { toast } from '../store/toasts'

type Feedback = { tone: 'success' | 'danger'; text: string } | null

function KeyStatusLine() {
  const status = useSecrets((s) => s.status)
  if (!status) return <p className="key-status">Checking…</p>
  if (status.state === 'session-only') {
    return (
      <Callout tone="warning" title="Your key is not in the system keychain" role="status">
        {status.detail ?? 'Your system keychain could not be used, so the key is kept only until Atelier quits.'}
      </Callout>
    )
  }
  return status.state === 'stored' ? (
    <p className="key-status key-status-ok" role="status">
      <CircleCheck aria-hidden size={14} strokeWidth={2} />
      Saved in your system keychain
    </p>
  ) : (
    <p className="key-status" role="status">
      <KeyRound aria-hidden size={14} strokeWidth={1.75} />
      No key saved
    </p>
  )
}

function ApiKeySection() {
  const { status, save, test, remove } = useSecrets()
  // The key lives only in the DOM input until it is sent, and is cleared right after.
  const input = useRef<HTMLInputElement>(null)
  const [hasText, setHasText] = useState(false)
  const [busy, setBusy] = useState<'save' | 'test' | 'remove' | null>(null)
  const [feedback, setFeedback] = useState<Feedback>(null)
  const [confirming, setConfirming] = useState(false)

  const onSave = async (event: FormEvent) => {
    event.preventDefault()
    const field = input.current
    if (!field || busy || !field.value) return
    const key = field.value
    field.value = ''
    setHasText(false)
    setBusy('save')
    setFeedback(null)
    const error = await save(key)
    setBusy(null)
    setFeedback(error ? { tone: 'danger', text: error.message } : { tone: 'success', text: 'Key saved.' })
  }

  const onTest = async () => {
    setBusy('test')
    setFeedback(null)
    const result = await test()
    setBusy(null)
    setFeedback({ tone: result.ok ? 'success' : 'danger', text: result.message })
  }

  const onRemove = async () => {
    setBusy('remove')
    setFeedback(null)
    const error = await remove()
    setBusy(null)
    if (error) setFeedback({ tone: 'danger', text: error.message })
    else toast({ tone: 'info', title: 'API key removed' })
  }

  const hasKey = status !== null && status.state !== 'absent'

  return (
    <section className="settings-section" aria-labelledby="settings-key">
      <div className="settings-section-head">
        <h2 id="settings-key">API key</h2>
        <p className="settings-section-desc">
          Atelier keeps your Oxen.ai key in your system keychain, sends it only to the Oxen server and never shows it
          again.
        </p>
      </div>
      <div className="settings-card">
        <KeyStatusLine />
        <form className="key-form" onSubmit={onSave}>
          <label className="field-label" htmlFor="api-key">
            Oxen API key
          </label>
          <div className="key-row">
            <input
              ref={input}
              id="api-key"
              className="input input-lg mono"
              type="password"
              autoComplete="off"
              spellCheck={false}
              placeholder={hasKey ? 'Paste a new key to replace it' : 'Paste your key from oxen.ai'}
              onInput={(e) => setHasText(e.currentTarget.value.length > 0)}
            />
            <button type="submit" className="btn btn-primary btn-md" aria-disabled={!hasText || busy !== null}>
              {busy === 'save' && <Loader2 className="spin" aria-hidden size={14} />}
              Save key
            </button>
          </div>
        </form>
        <div className="key-actions">
          <button type="button" className="btn btn-secondary" onClick={() => void onTest()} aria-disabled={busy !== null}>
            {busy === 'test' ? <Loader2 className="spin" aria-hidden size={14} /> : <PlugZap aria-hidden size={14} strokeWidth={1.75} />}
            Test key
          </button>
          <AlertDialog.Root open={confirming} onOpenChange={setConfirming}>
            <AlertDialog.Trigger asChild>
              <button type="button" className="btn btn-ghost btn-danger-text" disabled={!hasKey || busy !== null}>
                <Trash2 aria-hidden size={14} strokeWidth={1.75} />
                Remove key
              </button>
            </AlertDialog.Trigger>
            <AlertDialog.Portal>
              <AlertDialog.Overlay className="dialog-overlay" />
              <AlertDialog.Content className="dialog">
                <AlertDialog.Title className="dialog-title">Remove the API key?</AlertDialog.Title>
                <AlertDialog.Description className="dialog-text">
                  Atelier will forget your Oxen API key. Images already in your library stay. You can paste the key again at any
                  time.
                </AlertDialog.Description>
                <AlertDialogActions tone="danger" onAction={() => void onRemove()}>
                  Remove
                </AlertDialogActions>
              </AlertDialog.Content>
            </AlertDialog.Portal>
          </AlertDialog.Root>
        </div>
        {feedback && (
          <p className={clsx('feedback', `feedback-${feedback.tone}`)} role={feedback.tone === 'danger' ? 'alert' : 'status'}>
            {feedback.tone === 'success' ? (
              <CircleCheck aria-hidden size={14} strokeWidth={2} />
            ) : (
              <CircleAlert aria-hidden size={14} strokeWidth={2} />
            )}
            <span>{feedback.text}</span>
          </p>
        )}
      </div>
    </section>
  )
}

const THEMES: { value: Settings['theme']; label: string; icon: typeof Sun }[] = [
  { value: 'system', label: 'System', icon: Monitor },
  { value: 'dark', label: 'Dark', icon: Moon },
  { value: 'light', label: 'Light', icon: Sun },
]

function AppearanceSection() {
  const theme = useSettings((s) => s.settings?.theme ?? 'system')
  const update = useSettings((s) => s.update)
  return (
    <section className="settings-section" aria-labelledby="settings-appearance">
      <div className="settings-section-head">
        <h2 id="settings-appearance">Appearance</h2>
        <p className="settings-section-desc">System follows your operating system’s light or dark mode.</p>
      </div>
      <div className="settings-card">
        <div className="settings-row">
          <span className="field-label" id="theme-label">
            Theme
          </span>
          <ToggleGroup.Root
            type="single"
            className="segmented segmented-wide"
            aria-labelledby="theme-label"
            value={theme}
            onValueChange={(value) => value && void update({ theme: value as Settings['theme'] })}
          >
            {THEMES.map(({ value, label, icon: Icon }) => (
              <ToggleGroup.Item key={value} value={value} className="segmented-item">
                <Icon aria-hidden size={14} strokeWidth={1.75} />
                {label}
              </ToggleGroup.Item>
            ))}
          </ToggleGroup.Root>
        </div>
      </div>
    </section>
  )
}

const SUPPLIES: { value: ReferenceSupply; label: string; icon: typeof Sun; detail: string }[] = [
  {
    value: 'upload',
    label: 'Upload to Oxen',
    icon: CloudUpload,
    detail:
      'Each image is uploaded once to an “atelier-references” repository in your Oxen account and sent as a link. Requests stay small. If uploading fails, Atelier inlines them and says so on the job.',
  },
  {
    value: 'data-uri',
    label: 'Inline in the request',
    icon: FileCode2,
    detail: 'Images travel inside every request, so nothing is stored in your Oxen account. Requests with many large images get big.',
  },
]

/** Limits of Settings.maxConcurrentJobs / maxConcurrentDownloads. */
const CONCURRENCY = { min: CONCURRENCY_LIMITS.min, max: CONCURRENCY_LIMITS.max }

function GenerationSection() {
  const settings = useSettings((s) => s.settings)
  const update = useSettings((s) => s.update)
  const supply = settings?.referenceSupply ?? 'upload'
  const detail = SUPPLIES.find((s) => s.value === supply)?.detail
  return (
    <section className="settings-section" aria-labelledby="settings-generation">
      <div className="settings-section-head">
        <h2 id="settings-generation">Generation</h2>
        <p className="settings-section-desc">How reference images reach Oxen, and how much Atelier does at the same time.</p>
      </div>
      <div className="settings-card">
        <div className="settings-field">
          <span className="field-label" id="supply-label">
            Send reference images
          </span>
          <ToggleGroup.Root
            type="single"
            className="segmented"
            aria-labelledby="supply-label"
            aria-describedby="supply-detail"
            value={supply}
            onValueChange={(value) => value && void update({ referenceSupply: value as ReferenceSupply })}
          >
            {SUPPLIES.map(({ value, label, icon: Icon }) => (
              <ToggleGroup.Item key={value} value={value} className="segmented-item">
                <Icon aria-hidden size={14} strokeWidth={1.75} />
                {label}
              </ToggleGroup.Item>
            ))}
          </ToggleGroup.Root>
          <p className="settings-field-desc" id="supply-detail">
            {detail}
          </p>
        </div>
        <div className="settings-divider" />
        <div className="settings-field">
          <NumberStepper
            id="settings-jobs"
            label="Jobs at once"
            value={settings?.maxConcurrentJobs ?? 2}
            {...CONCURRENCY}
            onChange={(n) => void update({ maxConcurrentJobs: n })}
            decreaseLabel="Fewer jobs at once"
            increaseLabel="More jobs at once"
            describedBy="settings-jobs-desc"
          />
          <p className="settings-field-desc" id="settings-jobs-desc">
            Jobs beyond this wait their turn. Each job sends up to four images per request.
          </p>
        </div>
        <div className="settings-field">
          <NumberStepper
            id="settings-downloads"
            label="Downloads at once"
            value={settings?.maxConcurrentDownloads ?? 4}
            {...CONCURRENCY}
            onChange={(n) => void update({ maxConcurrentDownloads: n })}
            decreaseLabel="Fewer downloads at once"
            increaseLabel="More downloads at once"
            describedBy="settings-downloads-desc"
          />
          <p className="settings-field-desc" id="settings-downloads-desc">
            Finished images are saved this many at a time. Lower it on a slow connection.
          </p>
        </div>
      </div>
    </section>
  )
}

function ConnectionSection() {
  const settings = useSettings((s) => s.settings)
  return (
    <section className="settings-section" aria-labelledby="settings-connection">
      <div className="settings-section-head">
        <h2 id="settings-connection">Connection</h2>
      </div>
      <div className="settings-card">
        <dl className="settings-readonly">
          <div className="settings-row">
            <dt className="field-label">Oxen server</dt>
            <dd className="mono">{settings?.oxenBaseUrl ?? '—'}</dd>
          </div>
        </dl>
      </div>
    </section>
  )
}

/** Lines of the log the view shows (the copied report has its own 200). */
const LOG_LINES = 300

interface LogLine {
  time: string
  level: string
  scope: string
  message: string
  /** The line's other fields, as compact JSON; '' when none. */
  rest: string
}

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })

/** A log line (JSON, see electron/services/log.ts) in columns; a line that is not JSON is shown whole. */
function parseLine(raw: string): LogLine {
  try {
    const { t, level, scope, message, ...rest } = JSON.parse(raw) as Record<string, unknown>
    const at = typeof t === 'string' ? new Date(t) : null
    return {
      time: at && !Number.isNaN(at.getTime()) ? TIME.format(at) : '',
      level: typeof level === 'string' ? level : '',
      scope: typeof scope === 'string' ? scope : '',
      message: typeof message === 'string' ? message : '',
      rest: Object.keys(rest).length ? JSON.stringify(rest) : '',
    }
  } catch {
    return { time: '', level: '', scope: '', message: raw, rest: '' }
  }
}

type LogState = { status: 'loading' } | { status: 'ready'; lines: string[]; location: string } | { status: 'failed'; message: string }

function DiagnosticsSection() {
  const [log, setLog] = useState<LogState>({ status: 'loading' })
  const [copying, setCopying] = useState(false)
  const view = useRef<HTMLPreElement>(null)

  const load = useCallback(async () => {
    setLog((current) => (current.status === 'ready' ? current : { status: 'loading' }))
    const result = await settle(api.getLogTail({ lines: LOG_LINES }))
    setLog(result.ok ? { status: 'ready', ...result.value } : { status: 'failed', message: result.error.message })
  }, [])

  useEffect(() => {
    void load()
  }, [load])

  // The newest lines are at the bottom, where a tail is read: show them after each load.
  const lines = log.status === 'ready' ? log.lines : null
  useLayoutEffect(() => {
    const pre = view.current
    if (pre && lines) pre.scrollTop = pre.scrollHeight
  }, [lines])

  const onCopy = async () => {
    if (copying) return
    setCopying(true)
    const result = await settle(api.getDiagnostics())
    setCopying(false)
    if (result.ok) await copyText(result.value.text, 'Diagnostics')
    else toast({ tone: 'danger', title: 'Could not gather the diagnostics', message: result.error.message })
  }

  const onReveal = async () => {
    const result = await settle(api.revealLogs())
    if (!result.ok) toast({ tone: 'danger', title: 'Could not show the log file', message: result.error.message })
  }

  return (
    <section className="settings-section" aria-labelledby="settings-diagnostics">
      <div className="settings-section-head">
        <h2 id="settings-diagnostics">Diagnostics</h2>
        <p className="settings-section-desc">What Atelier has been doing, for a bug report. Neither the log nor the copied diagnostics ever contain your API key.</p>
      </div>
      <div className="settings-card diag-card">
        <div className="diag-head">
          <span className="field-label" id="diag-log-label">
            Recent log
          </span>
          {log.status === 'ready' && (
            <span className="diag-location mono" title={log.location}>
              <bdi>{log.location}</bdi>
            </span>
          )}
          <div className="diag-head-actions">
            {isDesktop && <IconButton label="Show the log file in its folder" icon={FolderOpen} size="sm" onClick={() => void onReveal()} />}
            <IconButton label="Refresh the log" icon={RotateCw} size="sm" onClick={() => void load()} />
          </div>
        </div>
        {log.status === 'failed' ? (
          <Callout tone="danger" title="The log could not be read" role="alert">
            {log.message}
          </Callout>
        ) : (
          <pre
            ref={view}
            className="diag-log"
            tabIndex={0}
            role="region"
            aria-labelledby="diag-log-label"
            aria-busy={log.status === 'loading'}
          >
            {log.status === 'loading' ? (
              <span className="diag-log-note">Reading the log…</span>
            ) : log.lines.length === 0 ? (
              <span className="diag-log-note">Nothing has been logged yet.</span>
            ) : (
              log.lines.map((raw, i) => {
                const line = parseLine(raw)
                return (
                  <span key={i} className={clsx('diag-line', line.level && `diag-level-${line.level}`)}>
                    {line.time && <span className="diag-time">{line.time} </span>}
                    {line.level && <span className="diag-level">{line.level.toUpperCase().padEnd(5)} </span>}
                    {line.scope && <span className="diag-scope">{line.scope} </span>}
                    <span className="diag-message">{line.message}</span>
                    {line.rest && <span className="diag-rest"> {line.rest}</span>}
                    {'\n'}
                  </span>
                )
              })
            )}
          </pre>
        )}
        <div className="diag-foot">
          <button type="button" className="btn btn-secondary" onClick={() => void onCopy()} aria-disabled={copying}>
            {copying ? <Loader2 className="spin" aria-hidden size={14} /> : <ClipboardCopy aria-hidden size={14} strokeWidth={1.75} />}
            Copy diagnostics
          </button>
          <p className="settings-field-desc">Versions, settings, library counts, the model list’s age, whether a key is saved and the last 200 log lines.</p>
        </div>
      </div>
    </section>
  )
}

export function SettingsView() {
  return (
    <div className="settings">
      <div className="settings-inner">
        <div className="view-head">
          <h1>Settings</h1>
        </div>
        <ApiKeySection />
        <AppearanceSection />
        <GenerationSection />
        <OxenHistorySection />
        <ConnectionSection />
        <DiagnosticsSection />
      </div>
    </div>
  )
}
