import type { AppError, ErrorCode } from '../../shared/contract'

/** An error whose message is fit for the user: it says what happened and what to do. */
export class AppFailure extends Error implements AppError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'AppFailure'
  }
}

export function toAppError(error: unknown): AppError {
  if (error instanceof AppFailure) return { code: error.code, message: error.message }
  return { code: 'internal', message: 'Something went wrong inside Atelier. Try again; if it keeps happening, restart the app.' }
}
