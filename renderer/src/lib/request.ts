// Requests answer with Result<T>; this also turns a rejected IPC call (main crashed mid-request)
// into the same shape, so callers handle one kind of failure.
import type { AppError, Result } from '../../../shared/contract'

const LOST: AppError = {
  code: 'internal',
  message: 'Atelier could not reach its background process. Try again; if it keeps happening, restart the app.',
}

export async function settle<T>(request: Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await request
  } catch {
    return { ok: false, error: LOST }
  }
}
