// The composer's draft: main keeps it in the data folder (draft.json, see electron/services/draft.ts), so a reload,
// a restart or a crash keeps the prompt, the model, its parameters, the seed, the count and the images. Restored once
// at start, before the composer picks its model; then saved a moment after each change (typing never waits on it).
import type { ComposerDraft, DraftReference, ParamValue } from '../../../shared/domain'
import { MAX_IMAGES, MAX_PROMPT_CHARS, MAX_REFERENCES, MIN_IMAGES } from '../../../shared/limits'
import { api } from '../bridge'
import { settle } from '../lib/request'
import { MAX_SEED, readyTiles, report, useComposer, type ImageSlot } from './composer'
import { useModel } from './model'
import { toast } from './toasts'

/** How long the composer stays still before it is saved: a pause in typing, not every key. */
const SAVE_AFTER_MS = 400

/** The draft main keeps for the composer as it is now (within the contract's bounds: nothing the user has is refused). */
export function currentDraft(): ComposerDraft {
  const s = useComposer.getState()
  const refs = (slot: ImageSlot): DraftReference[] =>
    s.images[slot].flatMap((t) => (t.status === 'ready' ? [{ hash: t.image.hash, name: t.name.slice(0, 255) }] : [])).slice(0, MAX_REFERENCES)
  const seedValue = s.seed.value
  const seedOk = seedValue !== undefined && Number.isInteger(seedValue) && seedValue >= 0 && seedValue <= MAX_SEED
  return {
    modelId: useModel.getState().modelId,
    prompt: s.prompt.slice(0, MAX_PROMPT_CHARS),
    count: Math.min(MAX_IMAGES, Math.max(MIN_IMAGES, Math.round(s.count) || MIN_IMAGES)),
    // Through JSON, as it will travel: a value JSON cannot carry is not sent (and not kept) either way.
    params: JSON.parse(JSON.stringify(s.params)) as Record<string, ParamValue>,
    chosen: s.chosen.slice(0, 500),
    jsonDrafts: Object.fromEntries(Object.entries(s.jsonDrafts).map(([name, d]) => [name, { text: d.text.slice(0, 200_000), error: d.error.slice(0, 2000) }])),
    seed: seedOk ? s.seed : { mode: s.seed.mode },
    images: { input: refs('input'), mask: refs('mask') },
  }
}

/**
 * Puts the saved draft into the composer; answers its model (the composer starts on it) or null. A reference whose
 * file is gone is left out, and its slot says so in one line.
 */
export async function restoreDraft(): Promise<string | null> {
  const result = await settle(api.getDraft())
  if (!result.ok) return null
  const { draft, dropped, notes } = result.value
  for (const note of notes) toast({ tone: 'info', title: 'The draft was not restored', message: note })
  if (!draft) return null
  // Whatever the user began meanwhile (typed, dropped an image) wins over the saved draft.
  const now = useComposer.getState()
  if (now.prompt !== '' || now.images.input.length > 0 || now.images.mask.length > 0) return draft.modelId
  useComposer.setState({
    prompt: draft.prompt,
    count: draft.count,
    params: draft.params,
    chosen: draft.chosen,
    jsonDrafts: draft.jsonDrafts,
    seed: draft.seed,
    images: { input: readyTiles(draft.images.input), mask: readyTiles(draft.images.mask) },
    imageProblems: { input: [], mask: [] },
  })
  for (const slot of ['input', 'mask'] as const) {
    const sentence = dropped[slot]
    if (sentence) report(slot, sentence)
  }
  return draft.modelId
}

let started = false

/** Saves the draft a moment after each change, and at once when the window goes away. */
export function startDraftAutosave(): void {
  if (started) return
  started = true
  let last = JSON.stringify(currentDraft())
  let timer: ReturnType<typeof setTimeout> | undefined
  let warned = false

  const save = async () => {
    timer = undefined
    const draft = currentDraft()
    const text = JSON.stringify(draft)
    if (text === last) return
    last = text
    const result = await settle(api.saveDraft(draft))
    if (result.ok) {
      warned = false
      return
    }
    // Tried again with the next change; said once until a save works.
    last = ''
    if (!warned) {
      warned = true
      toast({ tone: 'danger', title: 'Your draft could not be saved', message: result.error.message })
    }
  }
  const schedule = () => {
    if (timer !== undefined) clearTimeout(timer)
    timer = setTimeout(() => void save(), SAVE_AFTER_MS)
  }

  useComposer.subscribe((s, b) => {
    const changed =
      s.prompt !== b.prompt ||
      s.count !== b.count ||
      s.params !== b.params ||
      s.chosen !== b.chosen ||
      s.jsonDrafts !== b.jsonDrafts ||
      s.seed !== b.seed ||
      s.images !== b.images
    if (changed) schedule()
  })
  useModel.subscribe((s, b) => {
    if (s.modelId !== b.modelId) schedule()
  })
  // A reload or a closed window: what is pending goes now.
  window.addEventListener('pagehide', () => {
    if (timer === undefined) return
    clearTimeout(timer)
    void save()
  })
}
