// The composer's draft (model, prompt, parameters, seed, count, the images of each slot by hash) kept in the data
// folder as `draft.json`, so a reload, a restart or a crash keeps what the user was composing.
//
// Why here and not in the renderer: main owns the data folder, so the draft survives a crash of either process and
// is the same in Electron and in the browser harness (whose origin, and so its localStorage, changes with its port).
// Why its own file and not settings.json: it changes as the user types and can be large (a prompt of 8000
// characters, JSON params); settings stay small, validated key by key and rewritten only when a preference changes.
//
// Each save is written whole to a temp file beside it, flushed to disk and renamed over the old one: a crash leaves
// the previous draft or the new one, never half of one. Saves run one at a time, in the order they arrive.
// References are stored by hash (ReferenceImage); restoring resolves them, and one whose file is gone is left out
// with one sentence naming it.
import { readdir, readFile, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { ComposerDraftSchema, type ComposerDraft, type DraftReference, type DraftRestore, type ReferenceImage } from '../../shared/domain'
import { AppFailure } from './errors'
import type { Logger } from './log'
import { writeFileAtomic } from './write-atomic'

export const DRAFT_FILE = 'draft.json'
/** Bumped when the file's shape changes in a way older readers cannot take; a newer file is read for what it shares. */
const DRAFT_VERSION = 1

export interface DraftStoreOptions {
  /** The draft's file (`<dataDir>/draft.json`). */
  file: string
  /** A stored reference whose file is still there, or null. */
  reference: (hash: string) => ReferenceImage | null
  log?: Logger
  now?: () => number
}

export interface DraftStore {
  /** The draft saved last, its images resolved; an unreadable file is set aside (draft.json.unreadable) and said. */
  load(): Promise<DraftRestore>
  save(draft: ComposerDraft): Promise<{ savedAt: number }>
  /** Resolves once every save asked for so far is on disk (or failed). */
  flush(): Promise<void>
}

const quoted = (name: string) => `“${name.length > 60 ? `${name.slice(0, 57)}…` : name}”`

/** One sentence for the references of a slot that are gone ("“a.png” is no longer…", "2 reference images…"). */
function droppedSentence(gone: DraftReference[], slot: 'input' | 'mask'): string | undefined {
  if (gone.length === 0) return undefined
  if (slot === 'mask') return `The mask ${quoted(gone[0]!.name)} is no longer in your library folder, so the draft was restored without it.`
  if (gone.length === 1) return `${quoted(gone[0]!.name)} is no longer in your library folder, so the draft was restored without it.`
  const names = gone.slice(0, 3).map((g) => quoted(g.name)).join(', ') + (gone.length > 3 ? ` and ${gone.length - 3} more` : '')
  return `${gone.length} reference images (${names}) are no longer in your library folder, so the draft was restored without them.`
}

export function createDraftStore(opts: DraftStoreOptions): DraftStore {
  const now = opts.now ?? Date.now
  let queue: Promise<unknown> = Promise.resolve()

  /** Temp files of writes a crash cut off. */
  async function sweep(): Promise<void> {
    const prefix = `${basename(opts.file)}.`
    const names = await readdir(dirname(opts.file)).catch(() => [] as string[])
    await Promise.all(names.filter((n) => n.startsWith(prefix) && n.endsWith('.tmp')).map((n) => rm(join(dirname(opts.file), n), { force: true })))
  }

  async function setAside(reason: string, error?: unknown): Promise<DraftRestore> {
    opts.log?.warn('the saved draft could not be read; set aside', { reason, error })
    await rename(opts.file, `${opts.file}.unreadable`).catch(() => undefined)
    return { draft: null, dropped: {}, notes: ['The draft saved last time could not be read, so the composer starts empty.'] }
  }

  return {
    async load() {
      await queue.catch(() => undefined)
      await sweep()
      let text: string
      try {
        text = await readFile(opts.file, 'utf8')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { draft: null, dropped: {}, notes: [] }
        return setAside('unreadable file', error)
      }
      let stored: unknown
      try {
        stored = JSON.parse(text)
      } catch (error) {
        return setAside('not JSON', error)
      }
      const record = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {}
      const parsed = ComposerDraftSchema.safeParse(record.draft)
      if (!parsed.success) return setAside('does not match the draft schema', parsed.error)
      const draft = parsed.data
      const resolve = (refs: DraftReference[]) => {
        const kept: ReferenceImage[] = []
        const gone: DraftReference[] = []
        for (const ref of refs) {
          const image = opts.reference(ref.hash)
          if (image) kept.push({ ...image, name: ref.name })
          else gone.push(ref)
        }
        return { kept, gone }
      }
      const input = resolve(draft.images.input)
      const mask = resolve(draft.images.mask)
      if (input.gone.length + mask.gone.length > 0) {
        opts.log?.info('draft references no longer stored were left out', { count: input.gone.length + mask.gone.length })
      }
      const dropped = { input: droppedSentence(input.gone, 'input'), mask: droppedSentence(mask.gone, 'mask') }
      return {
        draft: { ...draft, images: { input: input.kept, mask: mask.kept } },
        dropped: Object.fromEntries(Object.entries(dropped).filter(([, v]) => v !== undefined)),
        notes: [],
      }
    },

    save(draft) {
      const savedAt = now()
      const text = `${JSON.stringify({ version: DRAFT_VERSION, savedAt, draft }, null, 1)}\n`
      const run = queue.then(() => writeFileAtomic(opts.file, text))
      queue = run.catch(() => undefined)
      return run.then(
        () => ({ savedAt }),
        (error: unknown) => {
          throw new AppFailure('internal', 'Atelier could not save your draft in its data folder. Check that the disk is not full; the composer keeps it meanwhile.', {
            cause: error,
          })
        },
      )
    },

    async flush() {
      await queue
    },
  }
}
