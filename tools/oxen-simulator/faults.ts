// Fault injection. Every /api request passes through `FaultState.beforeRequest` before routing, and every
// generation through `FaultState.generationOutcome` as it finishes, so new kinds of fault plug in here.
// Set with the `faults` option or `POST /__sim/faults` (the body replaces the whole set).
import { z } from 'zod'
import type { GenerationOutcome } from './generations'

const countSchema = z.int().positive()

const RequestFaultSchema = z
  .object({
    /** HTTP method to match (any when absent). */
    method: z.string().min(1).optional(),
    /** RegExp source tested against the pathname (any when absent), e.g. "^/api/ai/queue$". */
    path: z
      .string()
      .refine((source) => {
        try {
          new RegExp(source)
          return true
        } catch {
          return false
        }
      }, 'path must be a valid regular expression')
      .optional(),
    /** Delay before the request is handled (or before the fault below is applied). */
    latencyMs: z.int().min(0).max(600_000).optional(),
    /** Answer with this status and Oxen's error envelope instead of handling the request. */
    status: z.int().min(400).max(599).optional(),
    /** Adds `Retry-After: <seconds>` to a `status` answer. */
    retryAfterSeconds: z.int().min(0).optional(),
    /** Destroy the connection without answering. */
    reset: z.boolean().optional(),
    /** Apply to this many matching requests, then drop the rule (every one when absent). */
    times: countSchema.optional(),
  })
  .strict()

const GenerationFaultSchema = z
  .object({
    /** Fail the generation with this error_message (e.g. "Insufficient credits"). */
    fail: z.string().min(1).optional(),
    /** Leave the generation in 'processing' until cancelled. */
    stuck: z.boolean().optional(),
    times: countSchema.optional(),
  })
  .strict()

export const SimulatorFaultsSchema = z
  .object({
    requests: z.array(RequestFaultSchema).optional(),
    generations: z.array(GenerationFaultSchema).optional(),
  })
  .strict()

export type RequestFault = z.infer<typeof RequestFaultSchema>
export type GenerationFault = z.infer<typeof GenerationFaultSchema>
export type SimulatorFaults = z.infer<typeof SimulatorFaultsSchema>

/** What the dispatcher must do for a request after any latency has passed. */
export type RequestAction = { kind: 'continue' } | { kind: 'reset' } | { kind: 'status'; status: number; retryAfterSeconds?: number }

export class FaultState {
  private faults: SimulatorFaults = {}

  constructor(initial?: SimulatorFaults) {
    if (initial) this.set(initial)
  }

  /** Validates and replaces the whole set; throws a ZodError on a bad shape. */
  set(faults: unknown): void {
    this.faults = structuredClone(SimulatorFaultsSchema.parse(faults))
  }

  get(): SimulatorFaults {
    return structuredClone(this.faults)
  }

  async beforeRequest(method: string, pathname: string): Promise<RequestAction> {
    const rules = this.faults.requests ?? []
    const rule = rules.find(
      (r) =>
        (!r.method || r.method.toUpperCase() === method) && (r.path === undefined || new RegExp(r.path).test(pathname)),
    )
    if (!rule) return { kind: 'continue' }
    consume(rules, rule)
    if (rule.latencyMs) await new Promise((resolve) => setTimeout(resolve, rule.latencyMs).unref())
    if (rule.reset) return { kind: 'reset' }
    if (rule.status) return { kind: 'status', status: rule.status, retryAfterSeconds: rule.retryAfterSeconds }
    return { kind: 'continue' }
  }

  generationOutcome(): GenerationOutcome {
    const rules = this.faults.generations ?? []
    const rule = rules[0]
    if (!rule) return null
    consume(rules, rule)
    if (rule.stuck) return { stuck: true }
    if (rule.fail) return { fail: rule.fail }
    return null
  }
}

function consume<T extends { times?: number }>(rules: T[], rule: T): void {
  if (rule.times === undefined) return
  rule.times -= 1
  if (rule.times <= 0) rules.splice(rules.indexOf(rule), 1)
}
