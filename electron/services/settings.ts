// User preferences: one schema (SettingsSchema) over electron-store in the shell or conf in plain Node.
// The API key is never stored here (see secrets.ts).
//
// - Versioned by our own `schemaVersion` key with explicit step functions (not conf's `migrations`).
// - Each key is validated on its own: a bad stored value falls back to its default, the rest are kept.
//   That is why the backing gets no JSON schema: conf would reject (or, with clearInvalidConfig, wipe) the
//   whole file for one bad value.
// - Read once at creation, then kept in memory; a single process writes the file.
// - `overrides` (e.g. the harness's --oxen-url) win for this run and are never written.
import Conf from 'conf'
import type { z } from 'zod'
import { describeIssues } from '../../shared/contract'
import { SettingsPatchSchema, SettingsSchema, type Settings, type SettingsPatch } from '../../shared/domain'
import { AppFailure } from './errors'
import type { Logger } from './log'

/** What electron-store and conf both provide. */
export interface SettingsBacking {
  get store(): Record<string, unknown>
  set store(value: Record<string, unknown>)
}

export const DEFAULT_SETTINGS: Settings = Object.freeze({
  oxenBaseUrl: 'https://hub.oxen.ai',
  modelId: 'bytedance-seedream-5-lite',
  theme: 'system',
  maxConcurrentJobs: 2,
  maxConcurrentDownloads: 4,
  referenceSupply: 'upload',
})

/** The options both backings are created with (electron-store calls the file `name`, conf `configName`). */
export const SETTINGS_STORE_OPTIONS = Object.freeze({
  name: 'settings',
  /** An unparseable file reads as empty instead of throwing; we then rewrite it from defaults. */
  clearInvalidConfig: true,
  /** Keys are flat; a dotted key must not turn into nesting. */
  accessPropertiesByDotNotation: false,
  watch: false,
})

export function createNodeSettingsBacking(dir: string): SettingsBacking {
  const { name, ...rest } = SETTINGS_STORE_OPTIONS
  return new Conf<Record<string, unknown>>({ ...rest, cwd: dir, configName: name })
}

export interface SettingsService {
  get(): Settings
  update(patch: SettingsPatch): Settings
  onChange(l: (s: Settings) => void): () => void
}

export const SETTINGS_SCHEMA_VERSION = 1
const VERSION_KEY = 'schemaVersion'

type Raw = Record<string, unknown>
/** `steps[n]` turns a version-n file into version n+1. Append; never edit a shipped step. */
const steps: ((raw: Raw) => Raw)[] = [
  // 0 → 1: files from before versioning (none shipped) hold the same keys; nothing to change.
  (raw) => raw,
]

function migrate(raw: Raw): Raw {
  const stored = raw[VERSION_KEY]
  let version = typeof stored === 'number' && Number.isInteger(stored) && stored >= 0 ? stored : 0
  // A newer Atelier wrote this file: read what we understand, keep the rest untouched.
  if (version > SETTINGS_SCHEMA_VERSION) return raw
  let out = { ...raw }
  for (; version < SETTINGS_SCHEMA_VERSION; version++) out = steps[version]!(out)
  return { ...out, [VERSION_KEY]: SETTINGS_SCHEMA_VERSION }
}

/** Every known key validated on its own; invalid or missing ones take their default. */
function readSettings(raw: Raw): Settings {
  const out: Record<string, unknown> = {}
  for (const [key, schema] of Object.entries(SettingsSchema.shape)) {
    const parsed = schema.safeParse(raw[key])
    out[key] = parsed.success ? parsed.data : DEFAULT_SETTINGS[key as keyof Settings]
  }
  return out as Settings
}

function parseOrFail<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value)
  if (!result.success) throw new AppFailure('invalid-input', describeIssues(result.error))
  return result.data
}

function sameSettings(a: Settings, b: Settings): boolean {
  return (Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]).every((k) => a[k] === b[k])
}

export function createSettingsService(backing: SettingsBacking, overrides: Partial<Settings> = {}, log?: Logger): SettingsService {
  const forced = parseOrFail(SettingsPatchSchema, overrides)
  const listeners = new Set<(s: Settings) => void>()

  let raw: Raw
  try {
    raw = backing.store
  } catch (error) {
    // Unreadable file (permissions, a schema from elsewhere): defaults for this run, and the log says why.
    log?.warn('settings file unreadable; using defaults', { error })
    raw = {}
  }
  const migrated = migrate(raw)
  let stored = readSettings(migrated)
  /** Unknown keys (from a newer version) ride along on every write. */
  let extra: Raw = migrated

  function write(): void {
    const next = { ...extra, ...stored }
    backing.store = next
    extra = next
  }

  // Repair the file once if migration or per-key fallback changed anything.
  const normalized = { ...migrated, ...stored }
  if (JSON.stringify(normalized) !== JSON.stringify(raw)) {
    try {
      write()
    } catch (error) {
      // A read-only file still gives working settings for this run.
      log?.warn('could not repair the settings file', { error })
    }
  }

  const effective = () => ({ ...stored, ...forced })

  return {
    get: effective,

    update(patch) {
      const valid = parseOrFail(SettingsPatchSchema, patch)
      const before = effective()
      const previous = stored
      stored = { ...stored, ...valid }
      try {
        write()
      } catch (error) {
        stored = previous
        throw new AppFailure('internal', 'Atelier could not save your settings because the settings file could not be written. Check that the disk is not full and try again.', { cause: error })
      }
      const after = effective()
      if (!sameSettings(before, after)) for (const listener of listeners) listener(after)
      return after
    },

    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
