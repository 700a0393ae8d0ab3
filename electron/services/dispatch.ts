// One place where every request from the renderer is checked and answered: the Electron shell and the
// browser harness both route their transport through `dispatch`.
import type { z } from 'zod'
import { describeIssues, requests, type RequestName, type Result } from '../../shared/contract'
import { toAppError } from './errors'
import type { Logger } from './log'

/** Handlers receive the parsed (defaulted, trimmed) input and return the output, or throw AppFailure. */
export type RequestHandlers = {
  [N in RequestName]: (input: z.output<(typeof requests)[N]['input']>) => Promise<z.input<(typeof requests)[N]['output']>>
}

export function createDispatcher(handlers: RequestHandlers, log: Logger) {
  return async function dispatch(name: string, rawInput: unknown): Promise<Result<unknown>> {
    if (!Object.hasOwn(requests, name)) {
      return { ok: false, error: { code: 'invalid-input', message: `Unknown request "${String(name).slice(0, 60)}".` } }
    }
    const spec = requests[name as RequestName]
    const parsed = spec.input.safeParse(rawInput)
    if (!parsed.success) {
      return { ok: false, error: { code: 'invalid-input', message: describeIssues(parsed.error) } }
    }
    try {
      const handler = handlers[name as RequestName] as (input: unknown) => Promise<unknown>
      const raw = await handler(parsed.data)
      // Parsing the answer strips anything the schema does not name, so nothing extra leaves main.
      // An Oxen message may quote the key back (a failed job's error, the catalogue's refresh error): never onward.
      const value = log.redact(spec.output.parse(raw))
      return { ok: true, value }
    } catch (error) {
      const appError = toAppError(error)
      if (appError.code === 'internal') log.error('request failed', { request: name, error })
      return { ok: false, error: { ...appError, message: log.scrub(appError.message) } }
    }
  }
}
export type Dispatch = ReturnType<typeof createDispatcher>
