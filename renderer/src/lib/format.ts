// Display helpers: how values from main read in the UI.
import type { FormField, ModelPrice, ParamValue } from '../../../shared/domain'
import { formatUsd } from '../../../shared/pricing'

/** Option values as designers expect to read them: `match_input_image` → "Match input image", png → PNG. */
export function formatOption(fieldName: string, value: string): string {
  if (/format/i.test(fieldName)) return value.toUpperCase()
  if (/^[a-z][a-z_]*$/.test(value)) {
    const words = value.replace(/_/g, ' ')
    return words.charAt(0).toUpperCase() + words.slice(1)
  }
  return value
}

/** A field's title-case label as it reads inside a sentence: "Output Format" → "output format" (CFG stays CFG). */
export function inSentence(label: string): string {
  return label.replace(/\b([A-Z])([a-z]+)/g, (_, first: string, rest: string) => first.toLowerCase() + rest)
}

/** "2K · 16:9 · PNG": the params that change the picture, in the order main sent them. */
export function summarizeParams(params: Record<string, ParamValue>): string[] {
  const parts: string[] = []
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'boolean') {
      if (value) parts.push(formatOption('', name))
    } else if (typeof value === 'number') {
      parts.push(`${formatOption('', name)} ${value}`)
    } else if (typeof value === 'string') {
      if (value !== '') parts.push(formatOption(name, value))
    } else if (value !== null) {
      parts.push(formatOption('', name))
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

/** How old something fetched at `then` is, in words: "just now", "12 min ago", "3 h ago", "2 days ago". */
export function formatAge(then: number, now: number): string {
  const minutes = Math.floor((now - then) / 60_000)
  if (minutes < 1) return 'just now'
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return `${hours} h ago`
  const days = Math.floor(hours / 24)
  return days === 1 ? 'yesterday' : `${days} days ago`
}

/** A model's price per image as the picker shows it: "$0.035", or "from $0.012" when it depends on the settings. */
export function formatPrice(price: ModelPrice | null): string | null {
  if (!price) return null
  const prices = [...(price.perImage !== undefined ? [price.perImage] : []), ...(price.tiers ?? []).map((t) => t.perImage)]
  if (prices.length === 0) return null
  const low = Math.min(...prices)
  return low === Math.max(...prices) ? formatUsd(low) : `from ${formatUsd(low)}`
}

/** A recorded parameter's name as its model's form labels it (when that form is known), else made readable. */
export function paramLabel(name: string, fields: FormField[] | undefined): string {
  return fields?.find((f) => f.name === name)?.label ?? formatOption('', name)
}

/** A recorded parameter's value as the recipe shows it. */
export function paramValue(name: string, value: ParamValue): string {
  if (typeof value === 'boolean') return value ? 'On' : 'Off'
  if (typeof value === 'string') return formatOption(name, value)
  return typeof value === 'number' ? String(value) : JSON.stringify(value)
}

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

/** An image named by its prompt and its place in the job; an upscale (no prompt) still gets a name. */
export function imageAlt(prompt: string, index: number, count: number): string {
  return `${prompt.trim() || 'No prompt'} — image ${index + 1} of ${count}`
}

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform)
export const generateShortcut = isMac ? '⌘ Enter' : 'Ctrl Enter'

/** A decimal string ("0.035") as whole micro-dollars, so sums are exact; null when it is not a plain decimal. */
function microDollars(cost: string): number | null {
  const match = /^(\d+)(?:\.(\d{1,6})\d*)?$/.exec(cost.trim())
  if (!match) return null
  return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'))
}

/** One image's cost as Oxen recorded it: "$0.035", "$1.50". */
export function formatCost(cost: string): string {
  const micro = microDollars(cost)
  if (micro === null) return cost
  const [whole, fraction = ''] = (micro / 1_000_000).toFixed(6).split('.')
  return `$${whole}.${fraction.replace(/0+$/, '').padEnd(2, '0')}`
}

/** What a set of images cost, to the cent ("$0.11"); null when none has a known cost. */
export function sumCosts(costs: (string | undefined)[]): string | null {
  const known = costs.flatMap((c) => {
    const micro = c === undefined ? null : microDollars(c)
    return micro === null ? [] : [micro]
  })
  if (known.length === 0) return null
  const total = known.reduce((a, b) => a + b, 0)
  if (total > 0 && total < 5_000) return '< $0.01'
  return `$${(Math.round(total / 10_000) / 100).toFixed(2)}`
}
