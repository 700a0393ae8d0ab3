// The one logger: JSON lines at four levels into `<dataDir>/logs/atelier.log`, rotated by size.
//
// Redaction is by construction: every line passes `scrub` just before it is written, so no caller can leak
// the API key by logging it. The secret store tells its logger each key it reads or saves (`addSecret`), and
// every logger made from the same `createLogger` (children included) then replaces it wherever it appears,
// as do the values of credential fields (`key`, `apiKey`, `authorization`, …), `Bearer …` header values and
// key-like URL query parameters.
//
// The file is written synchronously and rotated by hand (`rotate`, a few lines) rather than through a rotating
// stream library such as rotating-file-stream: an append that has returned is on disk, so the lines just before a crash or a quit
// survive (Electron's will-quit does not wait for a stream to flush), and there is no stream to close or
// whose async errors could surface later. Our volume (a few lines per request or job) makes the cost moot.
import { appendFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'

export type Level = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

export interface Logger {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
  /** The same logger with `scope` on every line (`parent.scope` under a scoped parent). */
  child(scope: string): Logger
  /** Keeps `secret` out of every line that this logger and its relatives write from now on. */
  addSecret(secret: string): void
  /** `text` as a line would be written: every secret this logger knows, and credential-like text, replaced. */
  scrub(text: string): string
  /**
   * `value` with every secret this logger knows replaced in each of its strings: for what crosses IPC (an Oxen error
   * that quotes the key back). Only the known secrets, not the credential-like patterns, so a prompt stays as typed.
   */
  redact<T>(value: T): T
}

export interface LoggerOptions {
  /** Lines go to `<dataDir>/logs/atelier.log`; without it, only to `echo`. */
  dataDir?: string
  /** Lines below this level are dropped. Default 'info'. */
  level?: Level
  /** Also gets every (scrubbed) line, e.g. for stderr. */
  echo?: (line: string) => void
  /** The file is rotated once it would grow past this. Default 5 MB. */
  maxBytes?: number
  /** Rotated files kept beside the current one, at least 1 (atelier.log.1 is the newest). Default 2: 3 files in all. */
  keep?: number
}

const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }
const REDACTED = '[redacted]'
/** Shorter values are not keys (SetKeyInputSchema wants 8+) and replacing them would shred every line. */
const MIN_SECRET_LENGTH = 8
/** Field names whose values are credentials, whatever they hold. */
const SECRET_FIELD = /^(?:authorization|(?:api[-_]?)?key|(?:access[-_]?)?token|password|secret)$/i
/** Credentials inside text: auth header values, and key-like URL query parameters. */
const SECRET_TEXT: [RegExp, string][] = [
  [/\b(authorization["']?\s*[:=]\s*["']?)(?:(?:Bearer|Basic)\s+)?[^\s"',;\\]+/gi, `$1${REDACTED}`],
  [/\b(Bearer|Basic)\s+[^\s"',;\\]+/gi, `$1 ${REDACTED}`],
  [/([?&](?:api[-_]?key|key|(?:access[-_]?)?token)=)[^&#\s"\\]+/gi, `$1${REDACTED}`],
]

/** JSON for one line: Errors with their message and stack, credential fields blanked, cycles cut. */
function serialize(record: LogFields): string {
  const seen = new WeakSet<object>()
  return JSON.stringify(record, (name, value: unknown) => {
    if (name && SECRET_FIELD.test(name) && value !== undefined && value !== null && value !== '') return REDACTED
    if (typeof value === 'bigint') return value.toString()
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[circular]' // or repeated: a WeakSet cannot tell the two apart, and either is rare
      seen.add(value)
      if (value instanceof Error) {
        const { name: kind, message, stack, cause } = value // not enumerable, so JSON would drop them
        return { ...value, name: kind, message, stack, ...(cause === undefined ? {} : { cause }) }
      }
    }
    return value
  })
}

/** The current log file under a data folder; rotated ones are beside it as `atelier.log.1` (the newest), `.2`, … */
export const logFilePath = (dataDir: string): string => join(dataDir, 'logs', 'atelier.log')

export function createLogger(opts: LoggerOptions = {}): Logger {
  const min = RANK[opts.level ?? 'info']
  const maxBytes = opts.maxBytes ?? 5 * 1024 * 1024
  const keep = Math.max(1, opts.keep ?? 2)
  const file = opts.dataDir ? logFilePath(opts.dataDir) : null
  /** Each secret in every form it may take in a line (see `addSecret`), longest first. */
  let secrets: string[] = []
  let size = 0
  let complained = false

  /** Logging must never throw or take the app down: the first failure is said on stderr, then logging goes on. */
  function attempt(work: () => void) {
    try {
      work()
    } catch (error) {
      if (complained) return
      complained = true
      try {
        process.stderr.write(`atelier: could not write the log${file ? ` (${file})` : ''}: ${scrub(String(error))}\n`)
      } catch {
        // stderr is gone too (a packaged app without a console): nowhere left to say it.
      }
    }
  }

  function scrub(text: string): string {
    let out = text
    for (const secret of secrets) out = out.split(secret).join(REDACTED)
    for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement)
    return out
  }

  if (file) {
    attempt(() => {
      mkdirSync(dirname(file), { recursive: true })
      size = existsSync(file) ? statSync(file).size : 0
    })
  }

  /** atelier.log → .1 → .2 …, the oldest dropped by being renamed over. */
  function rotate(path: string) {
    size = 0 // also when a rename fails, so a stuck rotation is retried only after another maxBytes
    for (let n = keep; n >= 1; n--) {
      const from = n === 1 ? path : `${path}.${n - 1}`
      if (existsSync(from)) renameSync(from, `${path}.${n}`)
    }
  }

  function append(path: string, line: string) {
    const bytes = Buffer.byteLength(line) + 1
    if (size > 0 && size + bytes > maxBytes) rotate(path)
    appendFileSync(path, line + '\n')
    size += bytes
  }

  function write(level: Level, scope: string | undefined, message: string, fields?: LogFields) {
    if (RANK[level] < min) return
    attempt(() => {
      const head = { t: new Date().toISOString(), level, scope, message }
      const line = scrub(serialize({ ...head, ...fields, ...head })) // fields never overwrite the head, which stays first
      if (file) attempt(() => append(file, line)) // a broken file still leaves the echo
      opts.echo?.(line)
    })
  }

  function redact<T>(value: T): T {
    if (secrets.length === 0) return value
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return secrets.some((s) => v.includes(s)) ? secrets.reduce((out, s) => out.split(s).join(REDACTED), v) : v
      if (Array.isArray(v)) return v.map(walk)
      if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
      return v
    }
    return walk(value) as T
  }

  /** Raw, URL- or form-encoded; each as is, JSON-escaped (a string field) or escaped twice (JSON text in a field). */
  function addSecret(secret: string) {
    if (secret.length < MIN_SECRET_LENGTH) return
    const escape = (text: string) => JSON.stringify(text).slice(1, -1)
    const forms = [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)].flatMap((f) => [f, escape(f), escape(escape(f))])
    secrets = [...new Set([...secrets, ...forms])].sort((a, b) => b.length - a.length)
  }

  const scoped = (scope?: string): Logger => ({
    debug: (m, f) => write('debug', scope, m, f),
    info: (m, f) => write('info', scope, m, f),
    warn: (m, f) => write('warn', scope, m, f),
    error: (m, f) => write('error', scope, m, f),
    child: (name) => scoped(scope ? `${scope}.${name}` : name),
    addSecret,
    scrub,
    redact,
  })
  return scoped()
}
