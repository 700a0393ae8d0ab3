// Diagnostics: the newest lines of the log, and one plain-text report to paste into a bug report (versions, OS,
// settings, library counts, the catalogue's age, the key's state, the log's last lines).
//
// It never holds the key: it is given the key's *state* and nothing that returns the key, and everything it
// answers passes through the logger's `scrub` (the secrets the logger learnt from the secret store, credential
// fields, `Bearer …`, key-like query parameters) on the way out, as every log line did on the way in.
import { open } from 'node:fs/promises'
import { arch, cpus, release, totalmem, type as osType, version as osVersion } from 'node:os'
import type { ModelCatalogue, SecretState, Settings } from '../../shared/domain'

export interface DiagnosticsVersions {
  /** Atelier's version as built (package.json). */
  app: string
  /** Only in the desktop app: the shell passes them in (services never import electron). */
  electron?: string
  chrome?: string
}

export interface LibraryCounts {
  images: number
  trash: number
  boards: number
}

export interface DiagnosticsDeps {
  versions: DiagnosticsVersions
  /** The current log file (`log.ts` logFilePath); rotated files beside it are read when it is short. */
  logFile: string
  settings: () => Settings
  /** The key's state and why (SecretStatus): never the key. */
  keyState: () => Promise<{ state: SecretState; detail?: string }>
  library: () => Promise<LibraryCounts>
  jobs: () => { total: number; running: number }
  catalogue: () => Promise<ModelCatalogue>
  /** The logger's scrub: every line that leaves here passes it. */
  scrub: (text: string) => string
  /** Whether the desktop shell runs the services (else the browser harness). */
  desktop: boolean
  now?: () => number
}

/** Lines in the copied report; the Settings view asks for its own number. */
export const REPORT_LOG_LINES = 200
/** Longest line given out, in characters; the rest is cut and counted (a huge error stays readable). */
const MAX_LINE_CHARS = 4000
/** Bytes read back from the end of each file at most: bounds the memory of a tail, whatever the lines' lengths. */
const MAX_TAIL_BYTES = 4 * 1024 * 1024
const CHUNK = 64 * 1024
/** Rotated files looked at (atelier.log.1 … .N) when the current one has fewer lines than asked. */
const MAX_ROTATED = 9

/** The last `want` lines of one file (complete lines only), oldest first; [] when it does not exist. */
async function tailOfFile(path: string, want: number): Promise<string[]> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  try {
    const { size } = await handle.stat()
    const chunks: Buffer[] = []
    let start = size
    let newlines = 0
    // Read backwards until there are more line ends than lines wanted (so the first, partial one can go).
    while (start > 0 && newlines <= want && size - start < MAX_TAIL_BYTES) {
      const from = Math.max(0, start - CHUNK)
      const chunk = Buffer.alloc(start - from)
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, from)
      const got = chunk.subarray(0, bytesRead)
      chunks.unshift(got)
      for (const byte of got) if (byte === 0x0a) newlines++
      start = from
    }
    const lines = Buffer.concat(chunks).toString('utf8').split('\n')
    if (start > 0) lines.shift() // begins mid-line
    return lines.filter((line) => line.trim() !== '').slice(-want)
  } finally {
    await handle.close()
  }
}

function clip(line: string): string {
  return line.length <= MAX_LINE_CHARS ? line : `${line.slice(0, MAX_LINE_CHARS)}… (${line.length - MAX_LINE_CHARS} more characters)`
}

/** The last `want` lines of the log, across rotated files (atelier.log.1 is the newest of those), oldest first. */
export async function readLogTail(logFile: string, want: number): Promise<string[]> {
  let lines = await tailOfFile(logFile, want)
  for (let n = 1; n <= MAX_ROTATED && lines.length < want; n++) {
    const older = await tailOfFile(`${logFile}.${n}`, want - lines.length)
    if (older.length === 0) break
    lines = [...older, ...lines]
  }
  return lines.map(clip)
}

/** An http(s) address without what could be a credential: user info, query and fragment. */
function withoutCredentials(address: string): string {
  try {
    const url = new URL(address)
    const redacted = url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== ''
    url.username = ''
    url.password = ''
    url.search = ''
    url.hash = ''
    return redacted ? `${url.href} (credentials or query left out)` : url.href
  } catch {
    return '(not a valid address)'
  }
}

/** Setting names whose values are never shown, should one ever be added (the same rule as the log's fields). */
const SECRET_NAME = /(?:key|token|password|secret|authorization)/i

function settingLines(settings: Settings): string[] {
  return Object.entries(settings).map(([name, value]) => {
    if (SECRET_NAME.test(name)) return `  ${name}: [redacted]`
    if (name === 'oxenBaseUrl' && typeof value === 'string') return `  ${name}: ${withoutCredentials(value)}`
    return `  ${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`
  })
}

/** "3 h 5 min", "2 days", "40 s". */
export function describeAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s`
  const min = Math.floor(s / 60)
  if (min < 60) return `${min} min`
  const h = Math.floor(min / 60)
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`
  return `${Math.floor(h / 24)} days`
}

const KEY_STATE: Record<SecretState, string> = {
  stored: 'stored in the system keychain',
  'session-only': 'session-only (kept in memory until Atelier quits; the keychain could not take it)',
  absent: 'absent (no key saved)',
}

/** Whatever fails while gathering one part says so in its place: a diagnostics report must always come out. */
async function part<T>(read: () => Promise<T> | T, show: (value: T) => string[]): Promise<string[]> {
  try {
    return show(await read())
  } catch (error) {
    return [`  (could not be read: ${error instanceof Error ? error.message : String(error)})`]
  }
}

export function createDiagnostics(deps: DiagnosticsDeps) {
  const now = deps.now ?? Date.now

  async function logTail(lines: number): Promise<string[]> {
    return (await readLogTail(deps.logFile, lines)).map(deps.scrub)
  }

  async function report(): Promise<string> {
    const { versions } = deps
    const at = now()
    const runtime = [
      versions.electron ? `Electron ${versions.electron}` : null,
      versions.chrome ? `Chromium ${versions.chrome}` : null,
      `Node ${process.versions.node}`,
    ].filter(Boolean)
    const sections: string[][] = [
      [`Atelier diagnostics, ${new Date(at).toISOString()}`],
      [
        'App',
        `  Atelier ${versions.app} (${deps.desktop ? 'desktop app' : 'browser preview'})`,
        `  ${runtime.join(' · ')}`,
        `  OS: ${osType()} ${release()} (${arch()}), ${osVersion()}`,
        `  ${cpus().length} CPU cores, ${Math.round(totalmem() / 2 ** 30)} GB memory`,
      ],
      ['Settings', ...(await part(deps.settings, settingLines))],
      ['API key', ...(await part(deps.keyState, ({ state, detail }) => [`  ${KEY_STATE[state]}`, ...(detail ? [`  ${detail}`] : [])]))],
      [
        'Library',
        ...(await part(deps.library, (c) => [`  images: ${c.images}`, `  in the trash: ${c.trash}`, `  boards: ${c.boards}`])),
        ...(await part(deps.jobs, (j) => [`  jobs: ${j.total} (${j.running} running)`])),
      ],
      [
        'Model catalogue',
        ...(await part(deps.catalogue, (c) => [
          `  models: ${c.models.length}`,
          c.fetchedAt === null
            ? '  fetched: never'
            : `  fetched: ${new Date(c.fetchedAt).toISOString()} (${describeAge(at - c.fetchedAt)} ago)`,
          ...(c.error ? [`  last refresh failed: ${c.error}`] : []),
        ])),
      ],
    ]
    const log = await part(
      () => logTail(REPORT_LOG_LINES),
      (lines) => (lines.length ? lines : ['  (no lines yet)']),
    )
    sections.push([`Log (the last ${REPORT_LOG_LINES} lines at most, oldest first)`, ...log])
    return deps.scrub(sections.map((s) => s.join('\n')).join('\n\n') + '\n')
  }

  return { logTail, report }
}
export type Diagnostics = ReturnType<typeof createDiagnostics>
