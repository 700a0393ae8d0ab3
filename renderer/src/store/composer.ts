// What the user is composing. Lives in a store so switching views keeps the prompt and choices.
import { create } from 'zustand'
import type { AddReferenceInput, FormField, ModelForm, ParamValue, ReferenceImage } from '../../../shared/domain'
import { MAX_IMAGES, MAX_REFERENCES, MIN_IMAGES } from '../../../shared/domain'
import { api } from '../bridge'
import { fileLabel, referenceInputFor } from '../lib/referenceFiles'
import { settle } from '../lib/request'
import { findLibraryImage } from './library'
import { useModel } from './model'
import { toast } from './toasts'

/** The fields the composer renders as controls (the prompt and reference images have their own UI). */
export function paramFields(form: ModelForm): FormField[] {
  return form.fields.filter((f) => f.name !== form.promptField && f.kind !== 'images')
}

function initialValue(field: FormField): ParamValue | undefined {
  switch (field.kind) {
    case 'enum':
      return field.default ?? field.options[0]
    case 'boolean':
      return field.default ?? false
    case 'number':
    case 'text':
      return field.default
    case 'images':
      return undefined
  }
}

/** A previous choice survives a form reload if the field still accepts it. */
function stillValid(field: FormField, value: ParamValue | undefined): value is ParamValue {
  if (value === undefined) return false
  switch (field.kind) {
    case 'enum':
      return typeof value === 'string' && field.options.includes(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'number':
      return typeof value === 'number'
    case 'text':
      return typeof value === 'string'
    case 'images':
      return false
  }
}

const clampCount = (n: number) => Math.min(MAX_IMAGES, Math.max(MIN_IMAGES, Math.round(n)))

/** One place in the references tray: being checked by main, or ready (main stored it under its hash). */
export type ReferenceTile =
  | { key: string; status: 'adding'; name: string }
  | { key: string; status: 'ready'; name: string; image: ReferenceImage }

/** A file that was not added, and why (main's own sentence, or the tray's for the cap and duplicates). */
export interface ReferenceProblem {
  id: number
  message: string
}

/** Something to add: what to call it while it is checked, and how to build main's input (or why it cannot be). */
interface ReferenceSource {
  name: string
  input: () => Promise<AddReferenceInput | { error: string }>
}

/** The form's reference field decides the cap; the model's name says whose cap it is. */
export function referenceField(form: ModelForm | null): Extract<FormField, { kind: 'images' }> | undefined {
  return form?.fields.find((f): f is Extract<FormField, { kind: 'images' }> => f.kind === 'images')
}

const quoted = (name: string) => `“${name.length > 60 ? `${name.slice(0, 57)}…` : name}”`
/** Files are checked a few at a time: each may be read whole into memory (up to 30 MB) to be sent. */
const ADD_CONCURRENCY = 3
let nextTileKey = 1
let nextProblemId = 1
/** Adds still running; generate waits for them so the job gets every reference the user sees. */
const adding = new Set<Promise<void>>()

/**
 * What "Reuse …" brings back from an image's recipe; what is left out stays as the user had it. Prompt only: the
 * prompt. Parameters only: the model fields (not the prompt, the references or the number of images). All settings:
 * all three. The number of images is never taken over: it is how many were asked for then, not part of the image.
 */
export interface RecipeReuse {
  prompt?: string
  params?: Record<string, ParamValue>
  references?: ReferenceImage[]
}

interface ComposerState {
  prompt: string
  count: number
  params: Record<string, ParamValue>
  /** In tray order: the order they are sent in, so the Nth is @ImageN in the prompt. */
  references: ReferenceTile[]
  referenceProblems: ReferenceProblem[]
  submitting: boolean
  /** "More options" stays open across view switches once the user opened it. */
  moreOpen: boolean
  setMoreOpen: (open: boolean) => void
  setPrompt: (prompt: string) => void
  setCount: (count: number) => void
  setParam: (name: string, value: ParamValue | undefined) => void
  adoptForm: (form: ModelForm) => void
  /** Files dropped, pasted or picked: each goes to main to be checked and stored; the ones over the cap are refused. */
  addReferenceFiles: (files: File[]) => Promise<void>
  /** An image from the library as a reference ("use as reference"). */
  addReferenceFromLibrary: (imageId: string) => Promise<void>
  /** Fills in a recipe; answers the recorded settings this model's form no longer accepts (left as they were). */
  reuse: (recipe: RecipeReuse) => { skipped: string[] }
  removeReference: (key: string) => void
  dismissReferenceProblems: () => void
  generate: () => Promise<boolean>
}

export const useComposer = create<ComposerState>()((set, get) => ({
  prompt: '',
  count: 4,
  params: {},
  references: [],
  referenceProblems: [],
  submitting: false,
  moreOpen: false,
  setMoreOpen: (moreOpen) => set({ moreOpen }),
  setPrompt: (prompt) => set({ prompt }),
  setCount: (count) => set({ count: Number.isFinite(count) ? clampCount(count) : MIN_IMAGES }),
  setParam: (name, value) =>
    set((s) => {
      const params = { ...s.params }
      if (value === undefined) delete params[name]
      else params[name] = value
      return { params }
    }),
  adoptForm: (form) =>
    set((s) => {
      const params: Record<string, ParamValue> = {}
      for (const field of paramFields(form)) {
        const previous = s.params[field.name]
        const value = stillValid(field, previous) ? previous : initialValue(field)
        if (value !== undefined) params[field.name] = value
      }
      return { params }
    }),
  addReferenceFiles: (files) => addReferences(files.map((file) => ({ name: fileLabel(file), input: () => referenceInputFor(file) }))),
  addReferenceFromLibrary: (imageId) => {
    const prompt = findLibraryImage(imageId)?.prompt
    const name = prompt ? (prompt.length > 40 ? `${prompt.slice(0, 39)}…` : prompt) : 'library image'
    return addReferences([{ name, input: async () => ({ kind: 'library', imageId }) }])
  },
  reuse: (recipe) => {
    const skipped: string[] = []
    const form = useModel.getState().form
    const next: Partial<ComposerState> = {}
    if (recipe.prompt !== undefined) next.prompt = recipe.prompt
    if (recipe.params) {
      if (!form) {
        // The form checks them when it loads (adoptForm keeps only what it accepts).
        next.params = { ...recipe.params }
      } else {
        const params: Record<string, ParamValue> = {}
        const fields = paramFields(form)
        for (const field of fields) {
          const recorded = recipe.params[field.name]
          // A field the recipe does not name was not sent then: the model's default reproduces it.
          const value = stillValid(field, recorded) ? recorded : initialValue(field)
          if (recorded !== undefined && !stillValid(field, recorded)) skipped.push(field.label)
          if (value !== undefined) params[field.name] = value
        }
        const known = new Set(form.fields.map((f) => f.name))
        for (const name of Object.keys(recipe.params)) if (!known.has(name)) skipped.push(name)
        next.params = params
      }
    }
    if (recipe.references) {
      const cap = referenceField(form)?.maxItems ?? MAX_REFERENCES
      next.references = recipe.references
        .slice(0, cap)
        .map((image) => ({ key: `ref-${nextTileKey++}`, status: 'ready' as const, name: image.name, image }))
      next.referenceProblems = []
    }
    set(next)
    return { skipped }
  },
  removeReference: (key) => set((s) => ({ references: s.references.filter((t) => t.key !== key) })),
  dismissReferenceProblems: () => set({ referenceProblems: [] }),
  generate: async () => {
    if (get().submitting) return false
    set({ submitting: true })
    await Promise.allSettled([...adding])
    const { prompt, count, params, references: tiles } = get()
    const references = tiles.flatMap((t) => (t.status === 'ready' ? [t.image.hash] : []))
    const result = await settle(api.generate({ prompt, count, params, references }))
    set({ submitting: false })
    if (!result.ok) toast({ tone: 'danger', title: 'Could not start generating', message: result.error.message })
    return result.ok
  },
}))

function report(message: string): void {
  useComposer.setState((s) => ({ referenceProblems: [...s.referenceProblems, { id: nextProblemId++, message }] }))
}

/** Takes what fits under the cap as "adding" tiles (the rest is refused in one sentence), then checks each with main. */
async function addReferences(sources: ReferenceSource[]): Promise<void> {
  if (sources.length === 0) return
  const form = useModel.getState().form
  const cap = referenceField(form)?.maxItems ?? MAX_REFERENCES
  const room = Math.max(0, cap - useComposer.getState().references.length)
  const taken = sources.slice(0, room).map((source) => ({ ...source, key: `ref-${nextTileKey++}` }))
  const refused = sources.length - taken.length
  useComposer.setState((s) => ({ references: [...s.references, ...taken.map(({ key, name }) => ({ key, name, status: 'adding' as const }))] }))
  if (refused > 0) {
    const model = form?.displayName ?? 'This model'
    report(`${model} accepts at most ${cap} reference images; ${refused} ${refused === 1 ? 'was' : 'were'} not added.`)
  }

  const queue = [...taken]
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await addOne(next.key, next)
  }
  const run = Promise.all(Array.from({ length: Math.min(ADD_CONCURRENCY, taken.length) }, worker)).then(() => undefined)
  adding.add(run)
  try {
    await run
  } finally {
    adding.delete(run)
  }
}

async function addOne(key: string, source: ReferenceSource): Promise<void> {
  // Removed while waiting its turn: nothing to do.
  if (!useComposer.getState().references.some((t) => t.key === key)) return
  const input = await source.input()
  const result = 'error' in input ? ({ ok: false, error: { message: input.error } } as const) : await settle(api.addReference(input))
  const { references } = useComposer.getState()
  if (!references.some((t) => t.key === key)) return
  const without = references.filter((t) => t.key !== key)
  if (!result.ok) {
    useComposer.setState({ references: without })
    // Main's sentences name the file; anything else (a lost connection) gets the name in front.
    report(result.error.message.includes('“') ? result.error.message : `${quoted(source.name)}: ${result.error.message}`)
  } else {
    // The same image twice: the one earlier in the tray stays, whichever finished checking first.
    const position = references.findIndex((t) => t.key === key)
    const twin = references.findIndex((t) => t.status === 'ready' && t.image.hash === result.value.hash)
    if (twin >= 0 && twin < position) {
      useComposer.setState({ references: without })
      report(`${quoted(source.name)} is already one of the reference images.`)
      return
    }
    const ready: ReferenceTile = { key, status: 'ready', name: source.name, image: result.value }
    const later = twin > position ? references[twin] : undefined
    useComposer.setState({ references: references.filter((t) => t !== later).map((t) => (t.key === key ? ready : t)) })
    if (later) report(`${quoted(later.name)} is already one of the reference images.`)
  }
}
