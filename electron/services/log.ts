// A small JSON-lines logger. Callers pass fields, never secrets: nothing here knows the API key.
import { appendFileSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Logger } from './dispatch'

export function createLogger(opts: { file?: string; echo?: (line: string) => void } = {}): Logger {
  if (opts.file) mkdirSync(dirname(opts.file), { recursive: true })
  const write = (level: string, message: string, fields?: Record<string, unknown>) => {
    const line = JSON.stringify({ t: new Date().toISOString(), level, message, ...fields })
    if (opts.file) {
      try {
        appendFileSync(opts.file, line + '\n')
      } catch {
        // Logging must never take the app down.
      }
    }
    opts.echo?.(line)
  }
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  }
}
