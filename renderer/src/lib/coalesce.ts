/**
 * Wraps an async refresh so overlapping calls never run side by side: a call that arrives while one
 * runs schedules exactly one more run after it (so the newest state is always fetched).
 */
export function coalesce(run: () => Promise<void>): () => Promise<void> {
  let current: Promise<void> | null = null
  let again = false
  return () => {
    if (current) {
      again = true
      return current
    }
    current = (async () => {
      try {
        do {
          again = false
          await run()
        } while (again)
      } finally {
        current = null
      }
    })()
    return current
  }
}
