// Named faults: one table from which the CLI parses `--fault`, `--help` lists the faults, `POST /__sim/faults`
// expands `named`, and the README's fault table is generated (`cli.ts --faults-markdown`).
// Spec syntax: `<name>[=<value>][;times=<n>][;method=<METHOD>][;path=<regexp>]`.
import type { CommitFault, DownloadFault, GenerationFault, RequestFault, StreamFault } from './faults'

export type ParsedFault =
  | { list: 'requests'; rule: RequestFault }
  | { list: 'downloads'; rule: DownloadFault }
  | { list: 'streams'; rule: StreamFault }
  | { list: 'generations'; rule: GenerationFault }
  | { list: 'commits'; rule: CommitFault }

type List = ParsedFault['list']

interface ValueSpec {
  placeholder: string
  optional?: boolean
  meaning: string
  /** Returns the parsed value or throws with a sentence saying what is expected. */
  parse: (raw: string) => number | string
}

export interface NamedFault {
  name: string
  list: List
  value?: ValueSpec
  summary: string
  /** Default method/path scope of a request fault; `method=`/`path=` qualifiers replace it. */
  scope?: { method?: string; path?: string }
  build: (value: number | string | undefined) => ParsedFault['rule']
}

/** A refusal shaped like the wrapped upstream 422 third-party clients report ([TP], API.md §7); wording invented. */
export const MODERATION_MESSAGE =
  'Upstream request failed with status 422 Unprocessable Entity: {"error":{"code":"OutputImageSensitiveContentDetected",' +
  '"message":"The request failed because the output image may contain sensitive information.","type":"BadRequest"}}'

const QUEUE_POST = { method: 'POST', path: '^/api/ai/queue$' }
const WORKSPACE_FILES_POST = { method: 'POST', path: '^/api/repos/[^/]+/[^/]+/workspaces/[^/]+/files(/|$)' }

function statusIn(name: string, allowed: string[]): (raw: string) => number {
  return (raw) => {
    if (!allowed.includes(raw)) throw new Error(`${name} must be ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}, got "${raw}"`)
    return Number(raw)
  }
}

function wholeNumber(min: number, what: string): (raw: string) => number {
  return (raw) => {
    if (!/^\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw)))
      throw new Error(`${what} must be a whole number${min > 0 ? ` of at least ${min}` : ''}, got "${raw}"`)
    return Number(raw)
  }
}

export const NAMED_FAULTS: readonly NamedFault[] = [
  {
    name: 'latency',
    list: 'requests',
    value: { placeholder: '<ms>', meaning: 'milliseconds added before each request is handled', parse: wholeNumber(0, 'latency') },
    summary: 'Delay every /api request (adds up with other faults on the same request).',
    build: (ms) => ({ latencyMs: ms as number }),
  },
  {
    name: 'rate-limit',
    list: 'requests',
    value: {
      placeholder: '<retry-after-s>',
      optional: true,
      meaning: 'Retry-After header in seconds; without a value no Retry-After is sent',
      parse: wholeNumber(0, 'rate-limit'),
    },
    summary: 'Answer 429 "rate limit exceeded" (JSON error envelope) instead of handling the request.',
    build: (seconds) => ({ status: 429, ...(seconds === undefined ? {} : { retryAfterSeconds: seconds as number }) }),
  },
  {
    name: 'server-error',
    list: 'requests',
    value: {
      placeholder: '<500|502|503>',
      meaning: 'the status: 500 answers the JSON error envelope, 502/503 a proxy-style HTML page',
      parse: (raw) => {
        if (!['500', '502', '503'].includes(raw)) throw new Error(`server-error must be 500, 502 or 503, got "${raw}"`)
        return Number(raw)
      },
    },
    summary: 'Answer a server error instead of handling the request.',
    build: (status) => ({ status: status as number }),
  },
  {
    name: 'reset-before-read',
    list: 'requests',
    scope: QUEUE_POST,
    summary: 'Destroy the connection before reading the request: it certainly had no effect (safe to resend).',
    build: () => ({ reset: 'before-read' }),
  },
  {
    name: 'reset-after-read',
    list: 'requests',
    scope: QUEUE_POST,
    summary: 'Read and handle the request (an enqueue is accepted and billed), then destroy the connection unanswered.',
    build: () => ({ reset: 'after-read' }),
  },
  {
    name: 'slow-answer',
    list: 'requests',
    value: { placeholder: '<ms>', meaning: 'milliseconds the answer is held after the request was handled', parse: wholeNumber(1, 'slow-answer') },
    scope: QUEUE_POST,
    summary: 'Handle the request in full (an enqueue is accepted and billed), then hold the answer for <ms>.',
    build: (ms) => ({ answerDelayMs: ms as number }),
  },
  {
    name: 'sse-drop-after',
    list: 'streams',
    value: { placeholder: '<K>', meaning: 'number of events before the stream is ended', parse: wholeNumber(0, 'sse-drop-after') },
    summary: 'End each /api/events stream right after K events (keep-alive comments do not count).',
    build: (k) => ({ dropAfterEvents: k as number }),
  },
  {
    name: 'sse-stall',
    list: 'streams',
    summary: 'Open /api/events (200 and headers) but then send nothing at all, not even keep-alives.',
    build: () => ({ stall: true }),
  },
  {
    name: 'sse-silent',
    list: 'streams',
    summary: 'Never send events on /api/events streams; keep-alive comments continue.',
    build: () => ({ silent: true }),
  },
  {
    name: 'slow-download',
    list: 'downloads',
    value: { placeholder: '<bytes-per-second>', meaning: 'transfer rate of result files', parse: wholeNumber(1, 'slow-download') },
    summary: 'Send result files slowly.',
    build: (bps) => ({ bytesPerSecond: bps as number }),
  },
  {
    name: 'truncated-download',
    list: 'downloads',
    summary: "Send a result file's full Content-Length but only half of its bytes, then close the connection.",
    build: () => ({ truncate: true }),
  },
  {
    name: 'corrupt-image',
    list: 'downloads',
    summary: 'Send result bytes that are not a decodable image, with the right Content-Type and Content-Length.',
    build: () => ({ corrupt: true }),
  },
  {
    name: 'expired-url',
    list: 'downloads',
    summary: 'Refuse presigned result URLs with 403 "The link has expired"; a refused URL stays refused.',
    build: () => ({ expired: true }),
  },
  {
    name: 'fail',
    list: 'generations',
    value: {
      placeholder: '<message>',
      meaning: "the generation's error_message and SSE error, e.g. Insufficient credits",
      parse: (raw) => {
        if (raw.trim() === '') throw new Error('fail needs a message, e.g. fail=Insufficient credits')
        return raw
      },
    },
    summary: 'Fail generations as they finish processing.',
    build: (message) => ({ fail: message as string }),
  },
  {
    name: 'moderation',
    list: 'generations',
    summary: 'Fail generations with a moderation refusal shaped like a wrapped upstream 422.',
    build: () => ({ fail: MODERATION_MESSAGE }),
  },
  {
    name: 'stuck',
    list: 'generations',
    summary: "Leave generations in 'processing' until they are cancelled.",
    build: () => ({ stuck: true }),
  },
  {
    name: 'workspace-upload-reset',
    list: 'requests',
    scope: WORKSPACE_FILES_POST,
    summary: 'Read about half of a workspace file upload, then destroy the connection unanswered: nothing is staged.',
    build: () => ({ reset: 'mid-body' }),
  },
  {
    name: 'commit-conflict',
    list: 'commits',
    summary: 'Answer a workspace commit with 409 conflict ("the branch has moved"); nothing is applied, the changes stay staged.',
    build: () => ({ conflict: true }),
  },
  {
    name: 'commit-5xx',
    list: 'commits',
    value: {
      placeholder: '<500|502|503>',
      optional: true,
      meaning: 'the status (default 500): 500 answers the JSON error envelope, 502/503 a proxy-style HTML page',
      parse: statusIn('commit-5xx', ['500', '502', '503']),
    },
    summary: 'Answer a workspace commit with a server error; nothing is applied, the changes stay staged.',
    build: (status) => ({ status: (status as number | undefined) ?? 500 }),
  },
  {
    name: 'commit-5xx-after-apply',
    list: 'commits',
    value: {
      placeholder: '<500|502|503>',
      optional: true,
      meaning: 'the status (default 502): 500 answers the JSON error envelope, 502/503 a proxy-style HTML page',
      parse: statusIn('commit-5xx-after-apply', ['500', '502', '503']),
    },
    summary: 'Apply a workspace commit (the branch moves, the workspace empties), then answer a server error.',
    build: (status) => ({ status: (status as number | undefined) ?? 502, afterApply: true }),
  },
]

/** What `times` counts for each list. */
const TIMES_UNIT: Record<List, string> = {
  requests: 'matching /api request',
  downloads: 'result-file GET',
  streams: 'opened /api/events stream',
  generations: 'generation finishing',
  commits: 'workspace commit with changes',
}

export const FAULT_SYNTAX = '<name>[=<value>][;times=<n>][;method=<METHOD>][;path=<regexp>]'

function usage(fault: NamedFault): string {
  if (!fault.value) return fault.name
  return fault.value.optional ? `${fault.name}[=${fault.value.placeholder}]` : `${fault.name}=${fault.value.placeholder}`
}

/** Parses one `--fault` spec; throws an Error whose message says what is wrong. */
export function parseFaultSpec(spec: string): ParsedFault {
  const [head = '', ...qualifiers] = spec.split(';')
  const eq = head.indexOf('=')
  const name = (eq === -1 ? head : head.slice(0, eq)).trim()
  const raw = eq === -1 ? undefined : head.slice(eq + 1)
  const fault = NAMED_FAULTS.find((f) => f.name === name)
  if (!fault) throw new Error(`Unknown fault "${name}". Known faults: ${NAMED_FAULTS.map((f) => f.name).join(', ')}`)

  let value: number | string | undefined
  if (raw === undefined || raw === '') {
    if (fault.value && !fault.value.optional) throw new Error(`Fault ${fault.name} needs a value: ${usage(fault)}`)
  } else {
    if (!fault.value) throw new Error(`Fault ${fault.name} takes no value`)
    value = fault.value.parse(raw)
  }

  const extra: { times?: number; method?: string; path?: string } = {}
  for (const qualifier of qualifiers) {
    const at = qualifier.indexOf('=')
    const key = at === -1 ? qualifier.trim() : qualifier.slice(0, at).trim()
    const text = at === -1 ? '' : qualifier.slice(at + 1)
    if (key === 'times') {
      extra.times = wholeNumber(1, 'times')(text)
    } else if ((key === 'method' || key === 'path') && fault.list === 'requests') {
      if (text === '') throw new Error(`${key}= needs a value in "${spec}"`)
      if (key === 'path') {
        try {
          new RegExp(text)
        } catch {
          throw new Error(`path=${text} is not a valid regular expression`)
        }
      }
      extra[key] = key === 'method' ? text.toUpperCase() : text
    } else {
      const allowed = fault.list === 'requests' ? 'times, method, path' : 'times'
      throw new Error(`Unknown qualifier "${key}" for fault ${fault.name} (allowed: ${allowed})`)
    }
  }

  const scoped = extra.method !== undefined || extra.path !== undefined
  const scope = scoped ? { method: extra.method, path: extra.path } : (fault.scope ?? {})
  const rule = {
    ...(scope.method === undefined ? {} : { method: scope.method }),
    ...(scope.path === undefined ? {} : { path: scope.path }),
    ...fault.build(value),
    ...(extra.times === undefined ? {} : { times: extra.times }),
  }
  return { list: fault.list, rule } as ParsedFault
}

function scopeText(fault: NamedFault): string {
  if (fault.list !== 'requests') return `every ${TIMES_UNIT[fault.list]}`
  if (!fault.scope) return 'every /api request'
  return `${fault.scope.method ?? 'any'} ${fault.scope.path ?? 'any path'}`
}

/** The fault section of `--help`. */
export function faultHelp(): string {
  const width = Math.max(...NAMED_FAULTS.map((f) => usage(f).length)) + 2
  const lines = [
    `Faults: --fault ${FAULT_SYNTAX} (repeatable)`,
    '  times=<n>: only the first n matches; method=, path=: scope of a request fault (replaces its default scope)',
    '',
  ]
  for (const fault of NAMED_FAULTS) {
    lines.push(`  ${usage(fault).padEnd(width)}${fault.summary}`)
    if (fault.value) lines.push(`  ${''.padEnd(width)}${fault.value.placeholder}: ${fault.value.meaning}`)
  }
  return lines.join('\n')
}

/** The README's fault table. */
export function faultTableMarkdown(): string {
  const cell = (text: string) => text.replaceAll('|', '\\|')
  const rows = NAMED_FAULTS.map((fault) => {
    const value = fault.value ? `${fault.value.optional ? '(optional) ' : ''}${fault.value.meaning}` : '—'
    return `| \`${cell(usage(fault))}\` | ${cell(fault.summary)} | ${cell(value)} | ${cell(scopeText(fault))} |`
  })
  return ['| fault | what a client sees | value | applies to (`times` counts these) |', '|---|---|---|---|', ...rows].join('\n')
}
