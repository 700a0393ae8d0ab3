// Settings over real conf files in a tmp dir.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  DEFAULT_SETTINGS,
  SETTINGS_SCHEMA_VERSION,
  createNodeSettingsBacking,
  createSettingsService,
} from '../../electron/services/settings'
import { AppFailure } from '../../electron/services/errors'
import type { Settings } from '../../shared/domain'

let dir: string
const file = () => join(dir, 'settings.json')
const onDisk = () => JSON.parse(readFileSync(file(), 'utf8')) as Record<string, unknown>
const open = (overrides?: Partial<Settings>) => createSettingsService(createNodeSettingsBacking(dir), overrides)

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-settings-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('settings', () => {
  it('starts from the defaults and writes a versioned file', () => {
    expect(open().get()).toEqual(DEFAULT_SETTINGS)
    expect(onDisk()).toEqual({ ...DEFAULT_SETTINGS, schemaVersion: SETTINGS_SCHEMA_VERSION })
  })

  it('persists an update across a new instance and tells listeners', () => {
    const settings = open()
    const seen: Settings[] = []
    const off = settings.onChange((s) => seen.push(s))
    const next = settings.update({ theme: 'dark', maxConcurrentJobs: 3 })
    expect(next).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark', maxConcurrentJobs: 3 })
    expect(seen).toEqual([next])
    settings.update({ theme: 'dark' }) // no change, no event
    expect(seen).toHaveLength(1)
    off()
    settings.update({ theme: 'light' })
    expect(seen).toHaveLength(1)
    expect(open().get()).toEqual({ ...DEFAULT_SETTINGS, theme: 'light', maxConcurrentJobs: 3 })
  })

  it('rejects an invalid patch with the zod message and changes nothing', () => {
    const settings = open()
    const attempt = () => settings.update({ oxenBaseUrl: 'ftp://example.test' })
    expect(attempt).toThrow(AppFailure)
    expect(attempt).toThrow('oxenBaseUrl: The Oxen URL must be an http(s) address.')
    expect(() => settings.update({ maxConcurrentJobs: 0 })).toThrow(/maxConcurrentJobs/)
    expect(() => settings.update({ apiKey: 'test-key-nope' } as never)).toThrow(/apiKey/)
    expect(settings.get()).toEqual(DEFAULT_SETTINGS)
    expect(open().get()).toEqual(DEFAULT_SETTINGS)
  })

  it('recovers a corrupt file by starting from the defaults and rewriting it', () => {
    writeFileSync(file(), '{ "theme": "dark", oops')
    const settings = open()
    expect(settings.get()).toEqual(DEFAULT_SETTINGS)
    expect(onDisk()).toEqual({ ...DEFAULT_SETTINGS, schemaVersion: SETTINGS_SCHEMA_VERSION })
    settings.update({ theme: 'dark' })
    expect(open().get().theme).toBe('dark')
  })

  it('falls back per key on hand-edited values and keeps the valid ones', () => {
    writeFileSync(
      file(),
      JSON.stringify({ theme: 'purple', maxConcurrentJobs: 5, maxConcurrentDownloads: 'many', oxenBaseUrl: 'http://127.0.0.1:9' }),
    )
    expect(open().get()).toEqual({
      ...DEFAULT_SETTINGS,
      maxConcurrentJobs: 5,
      oxenBaseUrl: 'http://127.0.0.1:9',
    })
    expect(onDisk()).toMatchObject({ theme: 'system', maxConcurrentDownloads: 4, schemaVersion: SETTINGS_SCHEMA_VERSION })
  })

  it('keeps keys and the version of a file written by a newer Atelier', () => {
    writeFileSync(file(), JSON.stringify({ schemaVersion: SETTINGS_SCHEMA_VERSION + 5, theme: 'dark', futureThing: [1, 2] }))
    const settings = open()
    expect(settings.get().theme).toBe('dark')
    settings.update({ maxConcurrentJobs: 4 })
    expect(onDisk()).toMatchObject({ schemaVersion: SETTINGS_SCHEMA_VERSION + 5, futureThing: [1, 2], maxConcurrentJobs: 4 })
  })

  it('lets overrides win for this run without writing them', () => {
    const settings = open({ oxenBaseUrl: 'http://127.0.0.1:4010' })
    expect(settings.get().oxenBaseUrl).toBe('http://127.0.0.1:4010')
    settings.update({ theme: 'dark' })
    expect(onDisk().oxenBaseUrl).toBe(DEFAULT_SETTINGS.oxenBaseUrl)
    // The stored value changes underneath, the override still wins.
    expect(settings.update({ oxenBaseUrl: 'https://example.test' }).oxenBaseUrl).toBe('http://127.0.0.1:4010')
    expect(open().get()).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark', oxenBaseUrl: 'https://example.test' })
  })

  it('rejects invalid overrides loudly', () => {
    expect(() => open({ oxenBaseUrl: 'not a url' })).toThrow(/oxenBaseUrl/)
  })

  it('fails an update with a plain message when the file cannot be written, keeping the old values', () => {
    const settings = open()
    // A directory where the file should be: the atomic rename fails, even for root.
    rmSync(file())
    mkdirSync(file())
    expect(() => settings.update({ theme: 'dark' })).toThrow(/could not save your settings/)
    expect(settings.get().theme).toBe('system')
  })
})
