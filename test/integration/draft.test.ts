// The composer's draft and prompt history through main's real parts: draft.json written whole and renamed in, read
// back after a restart of the services, references resolved from the library (a gone one left out with its name),
// an unreadable file set aside; and the prompts sent, from the job journal, each once and newest first.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAppServices } from '../../electron/services/app'
import { createDraftStore, DRAFT_FILE } from '../../electron/services/draft'
import { openJournal, type Journal } from '../../electron/services/jobs/journal'
import { createLogger } from '../../electron/services/log'
import { createNodeSettingsBacking } from '../../electron/services/settings'
import type { ComposerDraft, DraftRestore, PromptHistoryEntry, ReferenceImage } from '../../shared/domain'
import { distinctImage } from '../fixtures/references-images'

const quiet = createLogger()
const mediaUrl = (id: string, variant: string) => `/media/${id}/${variant}`

const DRAFT: ComposerDraft = {
  modelId: 'bytedance-seedream-5-lite',
  prompt: 'a teal kite over dunes, @Image1 as the kite, @Image2 as the sky',
  count: 3,
  params: { size: '2K', watermark: false },
  chosen: ['size'],
  jsonDrafts: { loras: { text: '[{"path": ', error: 'Not valid JSON: Unexpected end of JSON input' } },
  seed: { mode: 'fixed', value: 42 },
  images: { input: [], mask: [] },
}

let dataDir: string
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'atelier-draft-'))
})
afterEach(() => rmSync(dataDir, { recursive: true, force: true }))

/** The services the app runs, on `dataDir`, offline (Oxen is never reached). */
function startServices() {
  return createAppServices({
    dataDir,
    keytar: new Error('no keychain in this test'),
    settingsBacking: createNodeSettingsBacking(dataDir),
    mediaUrl,
    emit: () => {},
    log: quiet,
    fetch: async () => {
      throw new Error('offline in this test')
    },
  })
}
type Services = ReturnType<typeof startServices>

async function call<T>(services: Services, name: Parameters<Services['dispatch']>[0], input?: unknown): Promise<T> {
  const result = await services.dispatch(name, input)
  if (!result.ok) throw new Error(`${name} failed: ${result.error.message}`)
  return result.value as T
}

async function addReference(services: Services, seed: number, name: string): Promise<ReferenceImage> {
  const bytes = await distinctImage(seed)
  return call<ReferenceImage>(services, 'addReference', { kind: 'bytes', name, base64: bytes.toString('base64') })
}

describe('the composer draft', () => {
  it('is written whole and renamed in, and comes back after the services restart', async () => {
    let services = startServices()
    let street: ReferenceImage
    let sky: ReferenceImage
    try {
      street = await addReference(services, 1, 'street.png')
      sky = await addReference(services, 2, 'sky.png')
      const draft = { ...DRAFT, images: { input: [{ hash: street.hash, name: 'street.png' }, { hash: sky.hash, name: 'sky.png' }], mask: [] } }
      // Two saves in a row: the file ends with the second, and no temp file is left beside it.
      await call(services, 'saveDraft', { ...draft, prompt: 'first words' })
      const saved = await call<{ savedAt: number }>(services, 'saveDraft', draft)
      expect(saved.savedAt).toBeGreaterThan(0)
      expect(readdirSync(dataDir).filter((n) => n.startsWith(DRAFT_FILE))).toEqual([DRAFT_FILE])
      const onDisk = JSON.parse(readFileSync(join(dataDir, DRAFT_FILE), 'utf8')) as { version: number; savedAt: number; draft: ComposerDraft }
      expect(onDisk).toMatchObject({ version: 1, savedAt: saved.savedAt, draft })
    } finally {
      await services.dispose()
    }

    services = startServices()
    try {
      const restored = await call<DraftRestore>(services, 'getDraft')
      expect(restored.notes).toEqual([])
      expect(restored.dropped).toEqual({})
      expect(restored.draft).toMatchObject({ ...DRAFT, images: { mask: [] } })
      // In order, by hash, with the names the composer showed and thumbnails to show them again.
      expect(restored.draft?.images.input.map((r) => [r.hash, r.name, r.thumbUrl])).toEqual([
        [street!.hash, 'street.png', `/media/ref/${street!.hash}/thumb`],
        [sky!.hash, 'sky.png', `/media/ref/${sky!.hash}/thumb`],
      ])
    } finally {
      await services.dispose()
    }
  })

  it('a crash in the middle of a save leaves the draft before it (the cut-off temp file is swept)', async () => {
    const file = join(dataDir, DRAFT_FILE)
    const store = createDraftStore({ file, reference: () => null })
    await store.save(DRAFT)
    // What a write cut off by a crash leaves: half a file under a temp name beside the draft.
    const partial = `${file}.4242-deadbeef.tmp`
    writeFileSync(partial, readFileSync(file, 'utf8').slice(0, 40))
    const again = createDraftStore({ file, reference: () => null })
    const restored = await again.load()
    expect(restored.draft?.prompt).toBe(DRAFT.prompt)
    expect(existsSync(partial)).toBe(false)
  })

  it('drops a reference whose file is gone (or was never stored), with one sentence naming it', async () => {
    const services = startServices()
    try {
      const kept = await addReference(services, 3, 'kept.png')
      const gone = await addReference(services, 4, 'gone.png')
      const mask = await addReference(services, 5, 'mask.png')
      const unknown = 'f'.repeat(64)
      await call(services, 'saveDraft', {
        ...DRAFT,
        images: {
          input: [
            { hash: gone.hash, name: 'gone.png' },
            { hash: kept.hash, name: 'kept.png' },
            { hash: unknown, name: 'never stored.png' },
          ],
          mask: [{ hash: mask.hash, name: 'mask.png' }],
        },
      })
      // Their files deleted behind Atelier's back (references/<hash>.png in the library folder).
      for (const { hash } of [gone, mask]) rmSync(join(dataDir, 'library', 'references', `${hash}.png`))

      const restored = await call<DraftRestore>(services, 'getDraft')
      expect(restored.draft?.images.input.map((r) => r.name)).toEqual(['kept.png'])
      expect(restored.draft?.images.mask).toEqual([])
      expect(restored.dropped.input).toBe(
        '2 reference images (“gone.png”, “never stored.png”) are no longer in your library folder, so the draft was restored without them.',
      )
      expect(restored.dropped.mask).toBe('The mask “mask.png” is no longer in your library folder, so the draft was restored without it.')
      // The rest of the draft is untouched.
      expect(restored.draft).toMatchObject({ prompt: DRAFT.prompt, params: DRAFT.params, seed: DRAFT.seed, count: DRAFT.count })
    } finally {
      await services.dispose()
    }
  })

  it('an unreadable file is set aside and said; no file is an empty composer, said nothing', async () => {
    const services = startServices()
    try {
      expect(await call<DraftRestore>(services, 'getDraft')).toEqual({ draft: null, dropped: {}, notes: [] })
      writeFileSync(join(dataDir, DRAFT_FILE), '{"version":1,"draft":{"prompt":')
      expect(await call<DraftRestore>(services, 'getDraft')).toEqual({
        draft: null,
        dropped: {},
        notes: ['The draft saved last time could not be read, so the composer starts empty.'],
      })
      expect(existsSync(join(dataDir, `${DRAFT_FILE}.unreadable`))).toBe(true)
      // Set aside once: the next start is quiet, and a save writes a fresh file.
      expect((await call<DraftRestore>(services, 'getDraft')).notes).toEqual([])
      await call(services, 'saveDraft', DRAFT)
      expect((await call<DraftRestore>(services, 'getDraft')).draft?.prompt).toBe(DRAFT.prompt)
    } finally {
      await services.dispose()
    }
  })

  it('main refuses a draft that is not one (unknown keys, a malformed hash, a prompt over the limit)', async () => {
    const services = startServices()
    try {
      for (const bad of [
        { ...DRAFT, extra: 1 },
        { ...DRAFT, images: { input: [{ hash: '../../etc/passwd', name: 'x' }], mask: [] } },
        { ...DRAFT, prompt: 'x'.repeat(8001) },
        { ...DRAFT, count: 0 },
      ]) {
        expect(await services.dispatch('saveDraft', bad)).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
      }
      expect(existsSync(join(dataDir, DRAFT_FILE))).toBe(false)
    } finally {
      await services.dispose()
    }
  })
})

describe('the prompt history', () => {
  function journalJobs(journal: Journal, jobs: { id: string; at: number; prompt: string; modelId?: string }[]) {
    for (const job of jobs) {
      const row = {
        id: job.id,
        createdAt: job.at,
        modelId: job.modelId ?? 'bytedance-seedream-5-lite',
        prompt: job.prompt,
        count: 1,
        params: {},
        references: [],
        referenceSupply: null,
        referenceNote: null,
        estimate: null,
        request: null,
      } as unknown as Parameters<Journal['createJob']>[0]
      journal.createJob(row, [])
    }
  }

  it('is every prompt sent, each once at its latest, newest first, searchable by words in any case', async () => {
    const journal = openJournal(join(dataDir, 'journal.db'))
    journalJobs(journal, [
      { id: 'j1', at: 1000, prompt: 'a teal kite over dunes' },
      { id: 'j2', at: 2000, prompt: 'Été à la plage, golden hour' },
      { id: 'j3', at: 3000, prompt: '' }, // an upscale: no prompt
      { id: 'j4', at: 4000, prompt: 'a teal kite over dunes', modelId: 'flux-kontext-dev' },
      { id: 'j5', at: 5000, prompt: 'studio portrait, soft light' },
    ])
    journal.close()

    const services = startServices()
    try {
      const history = async (input: object) => (await call<{ prompts: PromptHistoryEntry[] }>(services, 'getPromptHistory', input)).prompts
      expect(await history({})).toEqual([
        { prompt: 'studio portrait, soft light', modelId: 'bytedance-seedream-5-lite', at: 5000 },
        { prompt: 'a teal kite over dunes', modelId: 'flux-kontext-dev', at: 4000 },
        { prompt: 'Été à la plage, golden hour', modelId: 'bytedance-seedream-5-lite', at: 2000 },
      ])
      expect((await history({ text: 'KITE teal' })).map((p) => p.prompt)).toEqual(['a teal kite over dunes'])
      expect((await history({ text: 'été' })).map((p) => p.prompt)).toEqual(['Été à la plage, golden hour'])
      expect(await history({ text: 'nothing like this' })).toEqual([])
      expect((await history({ limit: 2 })).map((p) => p.at)).toEqual([5000, 4000])
      expect(await services.dispatch('getPromptHistory', { text: 'x'.repeat(201) })).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    } finally {
      await services.dispose()
    }
  })

  it('searches past the first page of distinct prompts', async () => {
    const journal = openJournal(join(dataDir, 'journal.db'))
    journalJobs(journal, [
      { id: 'old', at: 1, prompt: 'the needle in the haystack' },
      ...Array.from({ length: 1200 }, (_, i) => ({ id: `j${i}`, at: 10 + i, prompt: `hay ${i}` })),
    ])
    expect(journal.recentPrompts('needle', 10)).toEqual([{ prompt: 'the needle in the haystack', modelId: 'bytedance-seedream-5-lite', at: 1 }])
    expect(journal.recentPrompts('', 600)).toHaveLength(600)
    journal.close()
  })
})
