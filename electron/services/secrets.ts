// The Oxen API key in the OS keychain (keytar API). When the keychain cannot be used the key is kept in
// memory for this run only and the status says so plainly; it never hangs and never downgrades silently.
//
// States:
// - `stored`: the key is in the keychain.
// - `session-only`: a key is held in memory only (the keychain failed when it was saved); `detail` says why.
// - `absent`: no key at all. If the keychain is unusable right now, `detail` says so, so the UI can warn
//   before the user saves a key that would be forgotten on quit.
import { SetKeyInputSchema, type SecretStatus } from '../../shared/domain'
import { describeIssues } from '../../shared/contract'
import { AppFailure } from './errors'
import type { Logger } from './log'

export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>
  setPassword(service: string, account: string, password: string): Promise<void>
  deletePassword(service: string, account: string): Promise<boolean>
}

/** Loads @github/keytar; resolves to an Error (never throws) when the native module cannot load. */
export async function loadKeytar(): Promise<KeytarLike | Error> {
  try {
    const mod = (await import('@github/keytar')) as unknown as { default?: KeytarLike } & Partial<KeytarLike>
    const keytar = (mod.default ?? mod) as Partial<KeytarLike>
    if (typeof keytar.getPassword !== 'function' || typeof keytar.setPassword !== 'function' || typeof keytar.deletePassword !== 'function') {
      return new Error('@github/keytar loaded without its functions')
    }
    return keytar as KeytarLike
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

export interface SecretStore {
  status(): Promise<SecretStatus>
  /** Main-only; never exposed over IPC. */
  getKey(): Promise<string | null>
  setKey(key: string): Promise<SecretStatus>
  removeKey(): Promise<SecretStatus>
  onChange(listener: (s: SecretStatus) => void): () => void
}

export interface SecretStoreOptions {
  keytar: KeytarLike | Error
  service?: string
  account?: string
  timeoutMs?: number
  /**
   * Gets the keychain's own error text for diagnosis, and learns (`addSecret`) every key this store reads or
   * saves, so that no line of the log can contain it.
   */
  log?: Logger
}

type Problem = 'not-loaded' | 'no-service' | 'locked' | 'timeout' | 'other'

class KeychainUnavailable extends Error {
  constructor(
    readonly problem: Problem,
    cause: unknown,
  ) {
    super(`keychain unavailable: ${problem}`, { cause })
  }
}

function classify(error: unknown): Problem {
  const text = error instanceof Error ? error.message : String(error)
  if (/Object does not exist at path|locked|prompt|dismissed|cancel/i.test(text)) return 'locked'
  if (/autolaunch D-Bus|Could not connect|org\.freedesktop\.secrets|DBus|D-Bus|not provided by any/i.test(text)) return 'no-service'
  return 'other'
}

const FIX = 'Install and unlock GNOME Keyring or KWallet to remember it.'

function why(problem: Problem, timeoutMs: number): string {
  switch (problem) {
    case 'not-loaded':
      return "Atelier's keychain component could not be loaded"
    case 'no-service':
      return 'Your system keychain is not available (no Secret Service is running)'
    case 'locked':
      return 'Your system keychain is locked or has no default keyring'
    case 'timeout':
      return `Your system keychain did not answer within ${Math.round(timeoutMs / 100) / 10} seconds`
    case 'other':
      return 'Your system keychain could not be used'
  }
}

function sessionOnlyDetail(problem: Problem, timeoutMs: number): string {
  return `${why(problem, timeoutMs)}, so the key is kept only until Atelier quits. ${FIX}`
}

function absentDetail(problem: Problem, timeoutMs: number): string {
  return `${why(problem, timeoutMs)}, so a key you save now is kept only until Atelier quits. ${FIX}`
}

export function createSecretStore(opts: SecretStoreOptions): SecretStore {
  const service = opts.service ?? 'Atelier'
  const account = opts.account ?? 'oxen-api-key'
  const timeoutMs = opts.timeoutMs ?? 3000
  const listeners = new Set<(s: SecretStatus) => void>()
  /** The key for this run when the keychain could not take it. The newest key the user gave wins. */
  let sessionKey: string | null = null
  let last: SecretStatus | null = null

  /** One keychain call, bounded by `timeoutMs`; every failure becomes KeychainUnavailable. */
  async function keychain<T>(call: (k: KeytarLike) => Promise<T>): Promise<T> {
    const keytar = opts.keytar
    if (keytar instanceof Error) throw new KeychainUnavailable('not-loaded', keytar)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KeychainUnavailable('timeout', null)), timeoutMs)
    })
    try {
      return await Promise.race([Promise.resolve().then(() => call(keytar)), timeout])
    } catch (error) {
      if (error instanceof KeychainUnavailable) throw error
      throw new KeychainUnavailable(classify(error), error)
    } finally {
      clearTimeout(timer)
    }
  }

  function report(error: unknown): Problem {
    const problem = error instanceof KeychainUnavailable ? error.problem : 'other'
    const cause = error instanceof KeychainUnavailable ? error.cause : error
    opts.log?.warn('keychain unavailable', { problem, error: cause instanceof Error ? cause.message : String(cause ?? '') })
    return problem
  }

  function publish(status: SecretStatus): SecretStatus {
    if (!last || last.state !== status.state || last.detail !== status.detail) {
      last = status
      for (const listener of listeners) listener(status)
    }
    return status
  }

  return {
    async status() {
      try {
        const stored = await keychain((k) => k.getPassword(service, account))
        if (stored) opts.log?.addSecret(stored)
        if (sessionKey !== null) {
          return publish({
            state: 'session-only',
            detail: 'Your system keychain is available again, but this key is kept only until Atelier quits. Save the key again to remember it.',
          })
        }
        return publish(stored ? { state: 'stored' } : { state: 'absent' })
      } catch (error) {
        const problem = report(error)
        return publish(
          sessionKey !== null
            ? { state: 'session-only', detail: sessionOnlyDetail(problem, timeoutMs) }
            : { state: 'absent', detail: absentDetail(problem, timeoutMs) },
        )
      }
    },

    async getKey() {
      if (sessionKey !== null) return sessionKey
      try {
        const key = (await keychain((k) => k.getPassword(service, account))) || null
        if (key) opts.log?.addSecret(key)
        return key
      } catch (error) {
        report(error)
        return null
      }
    },

    async setKey(rawKey) {
      const parsed = SetKeyInputSchema.safeParse({ key: rawKey })
      if (!parsed.success) throw new AppFailure('invalid-input', describeIssues(parsed.error))
      const key = parsed.data.key
      opts.log?.addSecret(key)
      try {
        await keychain((k) => k.setPassword(service, account, key))
        sessionKey = null
        return publish({ state: 'stored' })
      } catch (error) {
        sessionKey = key
        return publish({ state: 'session-only', detail: sessionOnlyDetail(report(error), timeoutMs) })
      }
    },

    async removeKey() {
      sessionKey = null
      try {
        await keychain((k) => k.deletePassword(service, account))
        return publish({ state: 'absent' })
      } catch (error) {
        const problem = report(error)
        return publish({
          state: 'absent',
          detail: `${why(problem, timeoutMs)}, so Atelier could not remove a key saved there earlier; it will not use it until the keychain works again. ${FIX}`,
        })
      }
    },

    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
