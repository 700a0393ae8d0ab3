// Display helpers: how values from main read in the UI.
import type { ParamValue } from '../../../shared/domain'

/** Option values as designers expect to read them: `match_input_image` → "Match input image", png → PNG. */
export function formatOption(fieldName: string, value: string): string {
  if (/format/i.test(fieldName)) return value.toUpperCase()
  if (/^[a-z][a-z_]*$/.test(value)) {
    const words = value.replace(/_/g, ' ')
    return words.charAt(0).toUpperCase() + words.slice(1)
  }
  return value
}

/** "2K · 16:9 · PNG": the params that change the picture, in the order main sent them. */
export function summarizeParams(params: Record<string, ParamValue>): string[] {
  const parts: string[] = []
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'boolean') {
      if (value) parts.push(formatOption('', name))
    } else if (typeof value === 'number') {
      parts.push(`${formatOption('', name)} ${value}`)
    } else if (value !== '') {
      parts.push(formatOption(name, value))
    }
  }
  return parts
}

/** Elapsed time as a stopwatch reads: 9s, 1m 05s, 1h 02m. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`
  return `${s}s`
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' })

/** Timestamps from main are epoch milliseconds. */
export function formatDateTime(epochMs: number): string {
  return dateTime.format(new Date(epochMs))
}

export function formatTime(epochMs: number): string {
  return timeOnly.format(new Date(epochMs))
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

export function imageAlt(prompt: string, index: number, count: number): string {
  return `${prompt} — image ${index + 1} of ${count}`
}

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform)
export const generateShortcut = isMac ? '⌘ Enter' : 'Ctrl Enter'
