// Fault injection: structured rules in four lists, each consulted at its own place:
//   requests    → every /api request, before routing (index.ts `dispatch`)
//   downloads   → every GET of a result file (routes.ts `download`)
//   streams     → every GET /api/events as it opens (events.ts)
//   generations → every generation as its processing ends (generations.ts)
//   commits     → every workspace commit that would apply changes (workspaces.ts)
// Named faults (`fault-catalog.ts`, the CLI's `--fault`) expand into these rules.
// Set with the `faults` option, `setFaults()` or `POST /__sim/faults` (the body replaces the whole set).
import { z } from 'zod'
import { parseFaultSpec, type ParsedFault } from './fault-catalog'
import type { GenerationOutcome } from './generations'
import { HttpError } from './http'

/** A fault set that does not validate; over HTTP it answers 400 invalid_params with the same sentence. */
export class InvalidFaultsError extends HttpError {
  constructor(message: string) {
    super(400, 'invalid_params', message)
  }
}

const countSchema = z.int().positive()

const regExpSource = z.string().refine((source) => {
  try {
    new RegExp(source)
    return true
  } catch {
    return false
  }
}, 'path must be a valid regular expression')

/** At most one of `keys` may be set (truthy) in a rule. */
function oneOf<T extends Record<string, unknown>>(keys: (keyof T & string)[]) {
  return (rule: T) => keys.filter((k) => rule[k] !== undefined && rule[k] !== false).length <= 1
}

const RequestFaultSchema = z
  .object({
    /** HTTP method to match (any when absent). */
    method: z.string().min(1).optional(),
    /** RegExp source tested against the pathname (any when absent), e.g. "^/api/ai/queue$". */
    path: regExpSource.optional(),
    /** Delay before the request is handled (or before the action below). */
    latencyMs: z.int().min(0).max(600_000).optional(),
    /** Answer with this status instead of handling the request (502/503 answer a proxy's HTML page). */
    status: z.int().min(400).max(599).optional(),
    /** Adds `Retry-After: <seconds>` to a `status` answer. */
    retryAfterSeconds: z.int().min(0).optional(),
    /**
     * Destroy the connection without answering. `true` / 'before-read': before the body is read (the request
     * certainly had no effect). 'after-read': the request is read and fully handled (an enqueue is accepted and
     * billed), then the connection is destroyed instead of sending the answer. 'mid-body': part of the body is
     * read (about half of its Content-Length), then the connection is destroyed: the request had no effect.
     */
    reset: z.union([z.boolean(), z.enum(['before-read', 'after-read', 'mid-body'])]).optional(),
    /** Handle the request in full (an enqueue is accepted and billed), then hold the answer this long. */
    answerDelayMs: z.int().min(1).max(600_000).optional(),
    /** Apply to this many matching requests, then drop the rule (every one when absent). */
    times: countSchema.optional(),
  })
  .strict()
  .refine(oneOf(['status', 'reset', 'answerDelayMs']), 'a request rule takes at most one of status, reset, answerDelayMs')

const DownloadFaultSchema = z
  .object({
    /** Send the body at this rate. */
    bytesPerSecond: z.int().positive().optional(),
    /** Send the full Content-Length but only the first half of the bytes, then close the connection. */
    truncate: z.boolean().optional(),
    /** Send bytes that are not a decodable image (same length, same Content-Type, the format's magic kept). */
    corrupt: z.boolean().optional(),
    /** Refuse a presigned URL with 403 as if it had expired; that URL stays refused. Keyed reads are not affected. */
    expired: z.boolean().optional(),
    times: countSchema.optional(),
  })
  .strict()
  .refine(oneOf(['truncate', 'corrupt', 'expired']), 'a download rule takes at most one of truncate, corrupt, expired')

const StreamFaultSchema = z
  .object({
    /** End the stream right after this many events (keep-alive comments do not count). */
    dropAfterEvents: z.int().min(0).optional(),
    /** Answer 200 with the SSE headers, then send nothing at all: no events, no keep-alives. */
    stall: z.boolean().optional(),
    /** Never send events on this stream; keep-alives continue. */
    silent: z.boolean().optional(),
    times: countSchema.optional(),
  })
  .strict()
  .refine(oneOf(['dropAfterEvents', 'stall', 'silent']), 'a stream rule takes at most one of dropAfterEvents, stall, silent')

const GenerationFaultSchema = z
  .object({
    /** Fail the generation with this error_message (e.g. "Insufficient credits"). */
    fail: z.string().min(1).optional(),
    /** Leave the generation in 'processing' until cancelled. */
    stuck: z.boolean().optional(),
    times: countSchema.optional(),
  })
  .strict()

const CommitFaultSchema = z
  .object({
    /** Answer 409 conflict ("the branch has moved"); nothing is applied, the workspace keeps its changes. */
    conflict: z.boolean().optional(),
    /** Answer this status (500: JSON envelope; 502/503: a proxy's HTML page). */
    status: z.int().min(500).max(599).optional(),
    /** With `status`: apply the commit (the workspace is emptied) and then answer the error. */
    afterApply: z.boolean().optional(),
    times: countSchema.optional(),
  })
  .strict()
  .refine(oneOf(['conflict', 'status']), 'a commit rule takes at most one of conflict, status')
  .refine((rule) => !rule.afterApply || rule.status !== undefined, 'afterApply needs a status')

const namedFaultSchema = z.string().superRefine((spec, ctx) => {
  try {
    parseFaultSpec(spec)
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) })
  }
})

export const SimulatorFaultsSchema = z
  .object({
    requests: z.array(RequestFaultSchema).optional(),
    downloads: z.array(DownloadFaultSchema).optional(),
    streams: z.array(StreamFaultSchema).optional(),
    generations: z.array(GenerationFaultSchema).optional(),
    commits: z.array(CommitFaultSchema).optional(),
    /** Named faults as on the CLI (`"rate-limit=3;times=2"`), appended to the lists above. */
    named: z.array(namedFaultSchema).optional(),
  })
  .strict()

export type RequestFault = z.infer<typeof RequestFaultSchema>
export type DownloadFault = z.infer<typeof DownloadFaultSchema>
export type StreamFault = z.infer<typeof StreamFaultSchema>
export type GenerationFault = z.infer<typeof GenerationFaultSchema>
export type CommitFault = z.infer<typeof CommitFaultSchema>
export type SimulatorFaults = z.infer<typeof SimulatorFaultsSchema>

/** What the dispatcher must do for a request after any latency has passed. */
export type RequestAction =
  | { kind: 'continue' }
  | { kind: 'reset' }
  | { kind: 'reset-mid-body' }
  | { kind: 'reset-after-read' }
  | { kind: 'slow-answer'; delayMs: number }
  | { kind: 'status'; status: number; retryAfterSeconds?: number }

/** How to serve one result download. */
export interface DownloadAction {
  bytesPerSecond?: number
  action?: 'truncate' | 'corrupt' | 'expired'
}

/** How one SSE stream behaves. */
export interface StreamBehavior {
  dropAfterEvents?: number
  stall?: boolean
  silent?: boolean
}

type Lists = Required<Omit<SimulatorFaults, 'named'>>

export class FaultState {
  private faults: Lists = { requests: [], downloads: [], streams: [], generations: [], commits: [] }

  constructor(initial?: SimulatorFaults) {
    if (initial) this.set(initial)
  }

  /** Validates and replaces the whole set; throws InvalidFaultsError on a bad shape or a bad named fault. */
  set(faults: unknown): void {
    const result = SimulatorFaultsSchema.safeParse(faults)
    if (!result.success) {
      const issues = result.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
      throw new InvalidFaultsError(`Invalid faults: ${issues.join('; ')}`)
    }
    const parsed = structuredClone(result.data)
    const next: Lists = {
      requests: parsed.requests ?? [],
      downloads: parsed.downloads ?? [],
      streams: parsed.streams ?? [],
      generations: parsed.generations ?? [],
      commits: parsed.commits ?? [],
    }
    for (const spec of parsed.named ?? []) addNamed(next, parseFaultSpec(spec))
    this.faults = next
  }

  /** The active rules (named faults already expanded; consumed rules gone, `times` counting down). */
  get(): SimulatorFaults {
    const out: SimulatorFaults = {}
    for (const key of ['requests', 'downloads', 'streams', 'generations', 'commits'] as const) {
      if (this.faults[key].length > 0) Object.assign(out, { [key]: structuredClone(this.faults[key]) })
    }
    return out
  }

  /**
   * Latency-only rules all apply (their delays add up) and are each consumed; of the other matching rules the
   * first one acts (with its own latency) and is consumed.
   */
  async beforeRequest(method: string, pathname: string): Promise<RequestAction> {
    const matching = this.faults.requests.filter(
      (r) =>
        (!r.method || r.method.toUpperCase() === method) && (r.path === undefined || new RegExp(r.path).test(pathname)),
    )
    const isDelay = (r: RequestFault) => r.latencyMs !== undefined && r.status === undefined && !r.reset
    const delays = matching.filter(isDelay)
    const rule = matching.find((r) => !isDelay(r))
    const latency = [...delays, ...(rule ? [rule] : [])].reduce((sum, r) => sum + (r.latencyMs ?? 0), 0)
    for (const r of delays) consume(this.faults.requests, r)
    if (rule) consume(this.faults.requests, rule)
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency).unref())
    if (!rule) return { kind: 'continue' }
    if (rule.reset === 'after-read') return { kind: 'reset-after-read' }
    if (rule.answerDelayMs) return { kind: 'slow-answer', delayMs: rule.answerDelayMs }
    if (rule.reset === 'mid-body') return { kind: 'reset-mid-body' }
    if (rule.reset) return { kind: 'reset' }
    if (rule.status) return { kind: 'status', status: rule.status, retryAfterSeconds: rule.retryAfterSeconds }
    return { kind: 'continue' }
  }

  /**
   * For a GET of a result file. Rate-only rules all apply (the slowest rate wins); of the others the first
   * matching one acts. `expired` rules match presigned URLs only.
   */
  beforeDownload(presigned: boolean): DownloadAction {
    const rules = this.faults.downloads
    const matching = rules.filter((r) => !r.expired || presigned)
    const isRate = (r: DownloadFault) => r.bytesPerSecond !== undefined && !r.truncate && !r.corrupt && !r.expired
    const rates = matching.filter(isRate)
    const rule = matching.find((r) => !isRate(r))
    const applied = [...rates, ...(rule ? [rule] : [])]
    for (const r of applied) consume(rules, r)
    const speeds = applied.map((r) => r.bytesPerSecond).filter((v): v is number => v !== undefined)
    const result: DownloadAction = {}
    if (speeds.length > 0) result.bytesPerSecond = Math.min(...speeds)
    if (rule?.truncate) result.action = 'truncate'
    else if (rule?.corrupt) result.action = 'corrupt'
    else if (rule?.expired) result.action = 'expired'
    return result
  }

  /** For a new GET /api/events stream: the first rule decides and is consumed. */
  streamBehavior(): StreamBehavior {
    const rule = this.faults.streams[0]
    if (!rule) return {}
    consume(this.faults.streams, rule)
    return { dropAfterEvents: rule.dropAfterEvents, stall: rule.stall, silent: rule.silent }
  }

  /** Consulted as a generation finishes processing: rules are consumed in order. */
  generationOutcome(): GenerationOutcome {
    const rules = this.faults.generations
    const rule = rules[0]
    if (!rule) return null
    consume(rules, rule)
    if (rule.stuck) return { stuck: true }
    if (rule.fail) return { fail: rule.fail }
    return null
  }

  /** Consulted by a valid workspace commit with changes, before anything is applied: the first rule acts. */
  commitOutcome(): { conflict?: boolean; status?: number; afterApply?: boolean } | null {
    const rule = this.faults.commits[0]
    if (!rule) return null
    consume(this.faults.commits, rule)
    return { conflict: rule.conflict, status: rule.status, afterApply: rule.afterApply }
  }
}

function addNamed(lists: Lists, fault: ParsedFault): void {
  switch (fault.list) {
    case 'requests':
      lists.requests.push(fault.rule)
      break
    case 'downloads':
      lists.downloads.push(fault.rule)
      break
    case 'streams':
      lists.streams.push(fault.rule)
      break
    case 'generations':
      lists.generations.push(fault.rule)
      break
    case 'commits':
      lists.commits.push(fault.rule)
      break
  }
}

function consume<T extends { times?: number }>(rules: T[], rule: T): void {
  if (rule.times === undefined) return
  rule.times -= 1
  if (rule.times <= 0) rules.splice(rules.indexOf(rule), 1)
}
