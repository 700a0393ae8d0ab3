// What the user is composing. Lives in a store so switching views (and models) keeps the prompt and choices.
import { create } from 'zustand'
import { useShallow } from 'zustand/react/shallow'
import type { AddReferenceInput, FormField, GenerateRequest, ModelForm, ModelSummary, ParamValue, ReferenceImage, SeedChoice } from '../../../shared/domain'
import { MAX_IMAGES, MAX_PROMPT_CHARS, MAX_REFERENCES, MIN_IMAGES } from '../../../shared/limits'
import { api } from '../bridge'
import { fileLabel, referenceInputFor } from '../lib/referenceFiles'
import { settle } from '../lib/request'
import { findLibraryImage } from './library'
import { currentForm, findModel, useModel } from './model'
import { usePromptHistory } from './promptHistory'
import { useSettings } from './settings'
import { toast } from './toasts'

export type ImagesField = Extract<FormField, { kind: 'images' }>
/** A field drawn as a control; images fields have slots of their own. */
export type ControlField = Exclude<FormField, { kind: 'images' }>
export type NumberField = Extract<FormField, { kind: 'number' }>
/** The references tray feeds the form's first `input` images field, the mask slot its first `mask` field. */
export type ImageSlot = 'input' | 'mask'
const SLOTS: ImageSlot[] = ['input', 'mask']

export const MAX_SEED = 2 ** 31 - 1
const isSeed = (f: FormField): boolean => f.kind === 'number' && f.role === 'seed'

/** The controls, in the form's order: not the prompt, the images or the model's own count (always sent as 1). */
export function controlFields(form: ModelForm): ControlField[] {
  return form.fields.filter((f): f is ControlField => f.kind !== 'images' && f.name !== form.promptField && f.name !== form.countField)
}

/** The controls whose values are `params`: all but the seed (the seed control sends `seed`, main records it per image). */
function paramFields(form: ModelForm): ControlField[] {
  return controlFields(form).filter((f) => !isSeed(f))
}

export const seedField = (form: ModelForm | null): NumberField | undefined => form?.fields.find((f): f is NumberField => isSeed(f))

export function slotField(form: ModelForm | null, slot: ImageSlot): ImagesField | undefined {
  return form?.fields.find((f): f is ImagesField => f.kind === 'images' && f.role === slot)
}

/** What a slot is called: "Reference images" the prompt names as @ImageN, an edit model's one "Input image", "Mask". */
export function slotLabel(field: ImagesField): string {
  if (field.role === 'mask') return 'Mask'
  return field.maxItems === 1 ? 'Input image' : 'Reference images'
}

/** Whether the prompt names the slot's images as @ImageN: a slot of several references (an edit model's one input is not named). */
export const mentionsReferences = (field: ImagesField | undefined): field is ImagesField => field !== undefined && field.maxItems > 1

/** The @ImageN mentions in a prompt, each number once, in the order they first appear. */
export function mentionsIn(prompt: string): number[] {
  const found: number[] = []
  for (const match of prompt.matchAll(/@image(\d+)/gi)) {
    const n = Number(match[1])
    if (!found.includes(n)) found.push(n)
  }
  return found
}

/** Why the prompt's mentions cannot be sent as they are (@Image5 with 3 references), or null. */
export function mentionProblem(prompt: string, references: number): string | null {
  const missing = mentionsIn(prompt).filter((n) => n < 1 || n > references)
  if (missing.length === 0) return null
  const names = missing.map((n) => `@Image${n}`)
  const named = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`
  const verb = names.length === 1 ? 'names' : 'name'
  if (references === 0) return `${named} ${verb} a reference image, but there are none: add ${names.length === 1 ? 'it' : 'them'} or change the prompt.`
  const have = references === 1 ? 'there is only @Image1' : `there are only @Image1…@Image${references}`
  return `${named} ${verb} a reference image that is not there (${have}): add it or change the prompt.`
}

/** The most characters the model's prompt takes: Atelier's limit, or the schema's maxLength when it is lower. */
export function promptLimit(form: ModelForm | null): number {
  const properties = form?.schema.properties
  const own = form?.promptField && properties && typeof properties === 'object' && !Array.isArray(properties) ? properties[form.promptField] : undefined
  const maxLength = own && typeof own === 'object' && !Array.isArray(own) ? own.maxLength : undefined
  return typeof maxLength === 'number' && maxLength > 0 ? Math.min(MAX_PROMPT_CHARS, maxLength) : MAX_PROMPT_CHARS
}

/** What a field is sent as when the user has not touched it (undefined: not sent, the model's default applies). */
function initialValue(field: ControlField): ParamValue | undefined {
  switch (field.kind) {
    case 'enum':
      return field.default ?? field.options[0]
    case 'boolean':
      return field.default ?? false
    default:
      return field.default
  }
}

function jsonType(value: ParamValue): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

/** Whether a JSON value has a type the field's JSON Schema allows (any, when it names none). */
function fitsSchema(schema: Record<string, ParamValue>, value: ParamValue): boolean {
  const { type } = schema
  const types = typeof type === 'string' ? [type] : Array.isArray(type) ? type.filter((t): t is string => typeof t === 'string') : []
  if (types.length === 0) return true
  const actual = jsonType(value)
  return types.includes(actual) || (actual === 'integer' && types.includes('number'))
}

/** Why a number does not fit its field ("Use a whole number from 1 to 50"), or null when it does. */
function numberProblem(field: NumberField, value: number): string | null {
  const whole = field.integer || field.role === 'seed'
  const min = field.min ?? (field.role === 'seed' ? 0 : undefined)
  const max = field.role === 'seed' ? Math.min(field.max ?? MAX_SEED, MAX_SEED) : field.max
  const fits = Number.isFinite(value) && (!whole || Number.isInteger(value)) && (min === undefined || value >= min) && (max === undefined || value <= max)
  if (fits) return null
  const kind = whole ? 'a whole number' : 'a number'
  if (min !== undefined && max !== undefined) return `Use ${kind} from ${min} to ${max}`
  if (min !== undefined) return `Use ${kind} of at least ${min}`
  if (max !== undefined) return `Use ${kind} of at most ${max}`
  return `Use ${kind}`
}

/** Whether a field takes this value as it is (a model switch or a recipe carries it over only then). */
function accepts(field: ControlField, value: ParamValue | undefined): value is ParamValue {
  if (value === undefined) return false
  switch (field.kind) {
    case 'enum':
      return typeof value === 'string' && field.options.includes(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'number':
      return typeof value === 'number' && numberProblem(field, value) === null
    case 'text':
      return typeof value === 'string'
    case 'json':
      return fitsSchema(field.schema, value)
  }
}

/**
 * The params for `form`: a field keeps a value the user chose (`chosen`) if it accepts it, else starts at its own
 * default (another model's default is no choice: 30 steps suit FLUX, not a turbo model).
 */
function shape(form: ModelForm, values: Record<string, ParamValue>, chosen: string[]): { params: Record<string, ParamValue>; chosen: string[] } {
  const params: Record<string, ParamValue> = {}
  const kept: string[] = []
  for (const field of paramFields(form)) {
    const carried = chosen.includes(field.name) && accepts(field, values[field.name])
    const value = carried ? values[field.name] : initialValue(field)
    if (carried) kept.push(field.name)
    if (value !== undefined) params[field.name] = value
  }
  return { params, chosen: kept }
}

const clampCount = (n: number) => Math.min(MAX_IMAGES, Math.max(MIN_IMAGES, Math.round(n)))

/** One place in an image slot: being checked by main, or ready (main stored it under its hash). */
export type ReferenceTile =
  | { key: string; status: 'adding'; name: string }
  | { key: string; status: 'ready'; name: string; image: ReferenceImage }

/** A file that was not added, and why (main's own sentence, or the slot's for the cap and duplicates). */
interface ReferenceProblem {
  id: number
  message: string
}

/** JSON typed into a json field that does not parse: kept as typed (never dropped) and shown with the reason. */
interface JsonDraft {
  text: string
  error: string
}

/** Something to add: what to call it while it is checked, and how to build main's input (or why it cannot be). */
interface ReferenceSource {
  name: string
  input: () => Promise<AddReferenceInput | { error: string }>
}

const quoted = (name: string) => `“${name.length > 60 ? `${name.slice(0, 57)}…` : name}”`
/** Files are checked a few at a time: each may be read whole into memory (up to 30 MB) to be sent. */
const ADD_CONCURRENCY = 3
let nextTileKey = 1
let nextProblemId = 1
/** Adds still running; generate waits for them so the job gets every image the user sees. */
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
  /** Values of the form's param fields (by schema name); a field without one is not sent. */
  params: Record<string, ParamValue>
  /** The params the user set (or a reused recipe did): the ones a model switch carries over. */
  chosen: string[]
  jsonDrafts: Record<string, JsonDraft>
  seed: SeedChoice
  /** In slot order: the order they are sent in, so the Nth input image is @ImageN in the prompt. */
  images: Record<ImageSlot, ReferenceTile[]>
  imageProblems: Record<ImageSlot, ReferenceProblem[]>
  /** The form the params were shaped for: a new one carries over what it can. */
  shapedFor: ModelForm | null
  /** What the last model switch could not carry over (field labels), said in one line until the next switch. */
  notCarried: string[]
  submitting: boolean
  /**
   * Why main refused the last Generate, placed beside the field it names (a key as in `blockers`); cleared by the
   * next change to what would be sent.
   */
  serverReasons: Record<string, string>
  /** Generate was pressed while something held it back: the requirement it waits for is said beside its field too. */
  attempted: boolean
  /** "More options" stays open across view switches once the user opened it. */
  moreOpen: boolean
  setMoreOpen: (open: boolean) => void
  setPrompt: (prompt: string) => void
  setCount: (count: number) => void
  setParam: (name: string, value: ParamValue | undefined) => void
  /** Text typed into a json field, on blur: parsed into its param, or kept as a draft with the parse error. */
  commitJson: (name: string, text: string) => void
  setSeed: (seed: SeedChoice) => void
  adoptForm: (form: ModelForm) => void
  /** Files dropped, pasted or picked: each goes to main to be checked and stored; the ones over the cap are refused. */
  addImageFiles: (slot: ImageSlot, files: File[]) => Promise<void>
  /** An image from the library ("use as reference", "use as mask"). */
  addLibraryImage: (slot: ImageSlot, imageId: string) => Promise<void>
  removeImage: (slot: ImageSlot, key: string) => void
  /** Moves a tile to `index` in its slot (the order images are sent in, so the Nth input image is @ImageN). */
  moveImage: (slot: ImageSlot, key: string, index: number) => void
  clearImages: (slot: ImageSlot) => void
  dismissImageProblems: (slot: ImageSlot) => void
  /** Fills in a recipe; answers the recorded settings this model's form no longer accepts (left as they were). */
  reuse: (recipe: RecipeReuse) => { skipped: string[] }
  generate: () => Promise<boolean>
}

/** What a switch from `before` to `after` leaves behind that the user had set, in form order. */
function leftBehind(s: ComposerState, before: ModelForm, after: ModelForm, carried: string[], drafts: Record<string, JsonDraft>): string[] {
  const lost: string[] = []
  if (before.promptField && !after.promptField && s.prompt.trim()) lost.push('Prompt')
  const controls = paramFields(before)
  for (const field of before.fields) {
    if (field.kind === 'images') {
      const slot = field.role
      if (slotField(before, slot) === field && s.images[slot].length > 0 && !slotField(after, slot)) lost.push(slotLabel(field))
    } else if (isSeed(field)) {
      if (s.seed.mode !== 'random' && !seedField(after)) lost.push(field.label)
    } else if (controls.includes(field)) {
      const dropped = (s.jsonDrafts[field.name] && !drafts[field.name]) || (s.chosen.includes(field.name) && !carried.includes(field.name))
      if (dropped) lost.push(field.label)
    }
  }
  return lost
}

/** Why Generate cannot run yet, keyed by where the reason is shown: a field's name, 'prompt' or 'model'. */
function blockers(s: ComposerState, form: ModelForm, model: ModelSummary | undefined): Record<string, string> {
  const reasons: Record<string, string> = {}
  const deployment = model?.custom?.deployment
  if (deployment !== undefined && deployment !== 'running') {
    reasons.model = `Its deployment is ${deployment}: start it on Oxen.ai, then refresh the list of models.`
  }
  if (form.promptField && form.promptRequired && !s.prompt.trim()) reasons.prompt = 'Write a prompt'
  const limit = promptLimit(form)
  if (form.promptField && s.prompt.trim().length > limit) {
    reasons.prompt = `${form.displayName} takes at most ${limit.toLocaleString()} characters: shorten the prompt by ${(s.prompt.trim().length - limit).toLocaleString()}.`
  }
  // Oxen would bill a generation whose prompt names an image it was not given: held back, with the reason beside the prompt.
  const references = slotField(form, 'input')
  if (form.promptField && mentionsReferences(references)) {
    const problem = mentionProblem(s.prompt, s.images.input.length)
    if (problem) reasons.prompt = problem
  }
  for (const slot of SLOTS) {
    const field = slotField(form, slot)
    if (!field) continue
    const n = s.images[slot].length
    const least = Math.max(1, field.minItems)
    if ((field.required || n > 0) && n < least) {
      reasons[field.name] = least > 1 ? `Add at least ${least} images` : slot === 'mask' ? 'Add a mask' : 'Add an input image'
    } else if (n > field.maxItems) {
      const most = field.maxItems === 1 ? 'one image' : `at most ${field.maxItems} images`
      reasons[field.name] = `${form.displayName} takes ${most}: remove ${n - field.maxItems}`
    }
  }
  for (const field of controlFields(form)) {
    const value = s.params[field.name]
    const draft = s.jsonDrafts[field.name]
    if (draft) reasons[field.name] = draft.error
    else if (field.kind === 'number' && field.role === 'seed') {
      if (s.seed.mode !== 'random') {
        const problem = s.seed.value === undefined ? 'Enter a seed' : numberProblem(field, s.seed.value)
        if (problem) reasons[field.name] = problem
      }
    } else if (field.kind === 'number' && typeof value === 'number') {
      const problem = numberProblem(field, value)
      if (problem) reasons[field.name] = problem
    } else if (field.required && (value === undefined || value === '') && initialValue(field) === undefined) {
      reasons[field.name] = 'Required'
    }
  }
  return reasons
}

const NONE: Record<string, string> = {}

/** `blockers` for the chosen model's form (none while it loads: Generate waits for the form anyway), after main's own reasons. */
export function useBlockers(): Record<string, string> {
  const form = useModel(currentForm)
  const model = useModel((s) => findModel(s.catalogue, s.modelId))
  return useComposer(useShallow((s) => (form ? { ...s.serverReasons, ...blockers(s, form, model) } : NONE)))
}

/** The keys a reason can be shown beside: the prompt, the controls and the image slots of the form. */
function placesOf(form: ModelForm): Map<string, string> {
  const places = new Map<string, string>()
  if (form.promptField) places.set(form.promptField, 'prompt')
  for (const field of controlFields(form)) places.set(field.name, field.name)
  for (const slot of SLOTS) {
    const field = slotField(form, slot)
    if (field) places.set(field.name, field.name)
  }
  return places
}

/**
 * Main's refusal of a request, sentence by sentence, beside the field each names ("prompt: …" from the contract,
 * "Steps must be between 1 and 50." from the model's schema); what names no field on screen is left for a toast.
 */
export function placeReasons(message: string, form: ModelForm): { reasons: Record<string, string>; rest: string } {
  const places = placesOf(form)
  const seed = seedField(form)
  const labels = form.fields
    .flatMap((f) => (places.has(f.name) ? [{ label: f.label, key: places.get(f.name)! }] : []))
    .concat(form.promptField ? [{ label: 'Prompt', key: 'prompt' }] : [])
    .sort((a, b) => b.label.length - a.label.length)
  const reasons: Record<string, string> = {}
  const rest: string[] = []
  const add = (key: string, text: string) => {
    const sentence = text.charAt(0).toUpperCase() + text.slice(1)
    reasons[key] = reasons[key] ? `${reasons[key]} ${sentence}` : sentence
  }
  for (const sentence of message.split(/(?<=[.!?])\s+/).filter(Boolean)) {
    // The contract's own issues: "prompt: …", "params.steps: …", "images.image_urls.2: …", "seed.value: …".
    const path = /^([\w.-]+): (.+)$/s.exec(sentence)
    if (path) {
      const [head, name] = path[1]!.split('.')
      const key =
        head === 'prompt' ? (form.promptField ? 'prompt' : undefined) : head === 'seed' ? seed?.name : head === 'params' || head === 'images' ? places.get(name ?? '') : undefined
      if (key) add(key, path[2]!)
      else rest.push(sentence)
      continue
    }
    // The model's schema: sentences start with the field's label.
    const named = labels.find(({ label }) => sentence.startsWith(`${label} `))
    if (named) add(named.key, sentence)
    else rest.push(sentence)
  }
  return { reasons, rest: rest.join(' ') }
}

/** Everything the composer holds for the next Generate: what a draft saves and an undo restores. */
export interface ComposerContent {
  prompt: string
  count: number
  params: Record<string, ParamValue>
  chosen: string[]
  jsonDrafts: Record<string, JsonDraft>
  seed: SeedChoice
  /** Ready images only: one still being checked is not kept. */
  images: Record<ImageSlot, Extract<ReferenceTile, { status: 'ready' }>[]>
  notCarried: string[]
}

export function contentOf(s: ComposerState): ComposerContent {
  const ready = (slot: ImageSlot) => s.images[slot].filter((t): t is Extract<ReferenceTile, { status: 'ready' }> => t.status === 'ready')
  return {
    prompt: s.prompt,
    count: s.count,
    params: s.params,
    chosen: s.chosen,
    jsonDrafts: s.jsonDrafts,
    seed: s.seed,
    images: { input: ready('input'), mask: ready('mask') },
    notCarried: s.notCarried,
  }
}

/** Puts content back (a restored draft, an undo); the form on screen then takes what it accepts, as on a model switch. */
export function applyContent(content: ComposerContent): void {
  useComposer.setState({
    prompt: content.prompt,
    count: content.count,
    params: content.params,
    chosen: content.chosen,
    jsonDrafts: content.jsonDrafts,
    seed: content.seed,
    images: { input: content.images.input, mask: content.images.mask },
    imageProblems: { input: [], mask: [] },
    serverReasons: {},
    attempted: false,
  })
  const form = currentForm(useModel.getState())
  if (form) useComposer.getState().adoptForm(form)
  useComposer.setState({ notCarried: content.notCarried })
}

/** Ready tiles for images main has stored (a restored draft, a recipe), under new keys. */
export function readyTiles(images: ReferenceImage[]): Extract<ReferenceTile, { status: 'ready' }>[] {
  return images.map((image) => ({ key: `ref-${nextTileKey++}`, status: 'ready' as const, name: image.name, image }))
}

function requestFor(s: ComposerState, form: ModelForm): GenerateRequest {
  const images: Record<string, string[]> = {}
  for (const slot of SLOTS) {
    const field = slotField(form, slot)
    const hashes = s.images[slot].flatMap((t) => (t.status === 'ready' ? [t.image.hash] : []))
    if (field && hashes.length > 0) images[field.name] = hashes
  }
  const params: Record<string, ParamValue> = {}
  for (const field of paramFields(form)) {
    const value = s.params[field.name]
    if (value !== undefined) params[field.name] = value
  }
  return {
    modelId: form.modelId,
    prompt: form.promptField ? s.prompt : '',
    count: s.count,
    params,
    images,
    ...(seedField(form) ? { seed: s.seed } : {}),
  }
}

export const useComposer = create<ComposerState>()((set, get) => ({
  prompt: '',
  count: 4,
  params: {},
  chosen: [],
  jsonDrafts: {},
  seed: { mode: 'random' },
  images: { input: [], mask: [] },
  imageProblems: { input: [], mask: [] },
  shapedFor: null,
  notCarried: [],
  submitting: false,
  serverReasons: {},
  attempted: false,
  moreOpen: false,
  setMoreOpen: (moreOpen) => set({ moreOpen }),
  setPrompt: (prompt) => set({ prompt }),
  setCount: (count) => set({ count: Number.isFinite(count) ? clampCount(count) : MIN_IMAGES }),
  setParam: (name, value) =>
    set((s) => {
      const params = { ...s.params }
      const chosen = s.chosen.filter((n) => n !== name)
      if (value === undefined) delete params[name]
      else {
        params[name] = value
        chosen.push(name)
      }
      return { params, chosen }
    }),
  commitJson: (name, text) =>
    set((s) => {
      const params = { ...s.params }
      const chosen = s.chosen.filter((n) => n !== name)
      const jsonDrafts = { ...s.jsonDrafts }
      delete jsonDrafts[name]
      if (!text.trim()) delete params[name]
      else {
        try {
          params[name] = JSON.parse(text) as ParamValue
          chosen.push(name)
        } catch (error) {
          jsonDrafts[name] = { text, error: `Not valid JSON: ${(error as Error).message}` }
        }
      }
      return { params, chosen, jsonDrafts }
    }),
  setSeed: (seed) => set({ seed }),
  adoptForm: (form) =>
    set((s) => {
      const before = s.shapedFor
      const { params, chosen } = shape(form, s.params, s.chosen)
      const jsonDrafts = Object.fromEntries(
        Object.entries(s.jsonDrafts).filter(([name]) => form.fields.some((f) => f.name === name && f.kind === 'json')),
      )
      const switched = before !== null && before.modelId !== form.modelId
      return { shapedFor: form, params, chosen, jsonDrafts, ...(switched ? { notCarried: leftBehind(s, before, form, chosen, jsonDrafts) } : {}) }
    }),
  addImageFiles: (slot, files) => addImages(slot, files.map((file) => ({ name: fileLabel(file), input: () => referenceInputFor(file) }))),
  addLibraryImage: (slot, imageId) => {
    const prompt = findLibraryImage(imageId)?.prompt
    const name = prompt ? (prompt.length > 40 ? `${prompt.slice(0, 39)}…` : prompt) : 'library image'
    return addImages(slot, [{ name, input: async () => ({ kind: 'library', imageId }) }])
  },
  removeImage: (slot, key) => set((s) => ({ images: { ...s.images, [slot]: s.images[slot].filter((t) => t.key !== key) } })),
  moveImage: (slot, key, index) =>
    set((s) => {
      const tiles = [...s.images[slot]]
      const from = tiles.findIndex((t) => t.key === key)
      const to = Math.max(0, Math.min(tiles.length - 1, index))
      if (from < 0 || from === to) return {}
      const [tile] = tiles.splice(from, 1)
      tiles.splice(to, 0, tile!)
      return { images: { ...s.images, [slot]: tiles } }
    }),
  clearImages: (slot) => set((s) => ({ images: { ...s.images, [slot]: [] }, imageProblems: { ...s.imageProblems, [slot]: [] } })),
  dismissImageProblems: (slot) => set((s) => ({ imageProblems: { ...s.imageProblems, [slot]: [] } })),
  reuse: (recipe) => {
    const skipped: string[] = []
    const form = currentForm(useModel.getState())
    const next: Partial<ComposerState> = {}
    if (recipe.prompt !== undefined) next.prompt = recipe.prompt
    if (recipe.params) {
      // What a model switch just left behind has been replaced by the recipe.
      next.notCarried = []
      if (!form) {
        // The form checks them when it loads (adoptForm keeps only what it accepts).
        next.params = { ...recipe.params }
        next.chosen = Object.keys(recipe.params)
      } else {
        // A field the recipe does not name was not sent then: the model's default reproduces it.
        Object.assign(next, shape(form, recipe.params, Object.keys(recipe.params)))
        next.jsonDrafts = {}
        for (const field of paramFields(form)) {
          const recorded = recipe.params[field.name]
          if (recorded !== undefined && !accepts(field, recorded)) skipped.push(field.label)
        }
        const seed = seedField(form)
        const recordedSeed = seed && recipe.params[seed.name]
        if (typeof recordedSeed === 'number' && Number.isInteger(recordedSeed)) next.seed = { mode: 'fixed', value: recordedSeed }
        const known = new Set(form.fields.map((f) => f.name))
        for (const name of Object.keys(recipe.params)) if (!known.has(name)) skipped.push(name)
      }
    }
    if (recipe.references) {
      const cap = slotField(form, 'input')?.maxItems ?? MAX_REFERENCES
      const input = readyTiles(recipe.references.slice(0, cap))
      next.images = { ...get().images, input }
      next.imageProblems = { ...get().imageProblems, input: [] }
    }
    set(next)
    return { skipped }
  },
  generate: async () => {
    const form = currentForm(useModel.getState())
    if (get().submitting || !form) return false
    set({ submitting: true })
    await Promise.allSettled([...adding])
    if (Object.keys(blockers(get(), form, findModel(useModel.getState().catalogue, form.modelId))).length > 0) {
      set({ submitting: false, attempted: true })
      return false
    }
    const request = requestFor(get(), form)
    const result = await settle(api.generate(request))
    set({ submitting: false })
    if (!result.ok) {
      // A refusal about a field is said beside it; the rest (no key, Oxen unreachable) in a toast.
      const placed = result.error.code === 'invalid-input' ? placeReasons(result.error.message, form) : { reasons: {}, rest: result.error.message }
      set({ serverReasons: placed.reasons, attempted: true })
      if (placed.rest) toast({ tone: 'danger', title: 'Could not start generating', message: placed.rest })
      return false
    }
    set({ notCarried: [], attempted: false })
    if (request.prompt?.trim()) usePromptHistory.getState().sent(request.prompt.trim(), form.modelId)
    // The composer starts on the model used last.
    if (useSettings.getState().settings?.modelId !== form.modelId) void useSettings.getState().update({ modelId: form.modelId })
    return true
  },
}))

// Main's reasons are about what was sent: any change to it makes them stale (as does another model).
useComposer.subscribe((s, before) => {
  if (Object.keys(s.serverReasons).length === 0 || s.serverReasons !== before.serverReasons) return
  const changed =
    s.prompt !== before.prompt || s.count !== before.count || s.params !== before.params || s.seed !== before.seed || s.images !== before.images || s.shapedFor !== before.shapedFor
  if (changed) useComposer.setState({ serverReasons: {} })
})

/** Says beside a slot why images were not added (or are gone), until dismissed. */
export function report(slot: ImageSlot, message: string): void {
  useComposer.setState((s) => ({ imageProblems: { ...s.imageProblems, [slot]: [...s.imageProblems[slot], { id: nextProblemId++, message }] } }))
}

const tilesOf = (slot: ImageSlot) => useComposer.getState().images[slot]
const setTiles = (slot: ImageSlot, tiles: ReferenceTile[]) => useComposer.setState((s) => ({ images: { ...s.images, [slot]: tiles } }))
const duplicate = (slot: ImageSlot, name: string) => `${quoted(name)} is already ${slot === 'mask' ? 'the mask' : 'one of the reference images'}.`

/**
 * Takes what fits under the slot's cap as "adding" tiles (the rest is refused in one sentence), then checks each with
 * main. A slot that holds one image (an edit model's input, a mask) takes the new one in place of the old.
 */
async function addImages(slot: ImageSlot, sources: ReferenceSource[]): Promise<void> {
  if (sources.length === 0) return
  const form = currentForm(useModel.getState())
  const field = slotField(form, slot)
  const model = form?.displayName ?? 'This model'
  if (form && !field) {
    report(slot, `${model} takes no ${slot === 'mask' ? 'mask' : 'input images'}.`)
    return
  }
  const cap = field?.maxItems ?? MAX_REFERENCES
  const kept = cap === 1 ? [] : tilesOf(slot)
  const taken = sources.slice(0, Math.max(0, cap - kept.length)).map((source) => ({ ...source, key: `ref-${nextTileKey++}` }))
  const refused = sources.length - taken.length
  setTiles(slot, [...kept, ...taken.map(({ key, name }) => ({ key, name, status: 'adding' as const }))])
  if (refused > 0) {
    const what = slot === 'mask' ? (cap === 1 ? 'one mask' : `at most ${cap} masks`) : cap === 1 ? 'one input image' : `at most ${cap} reference images`
    report(slot, `${model} accepts ${what}; ${refused} ${refused === 1 ? 'was' : 'were'} not added.`)
  }

  const queue = [...taken]
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await addOne(slot, next.key, next)
  }
  const run = Promise.all(Array.from({ length: Math.min(ADD_CONCURRENCY, taken.length) }, worker)).then(() => undefined)
  adding.add(run)
  try {
    await run
  } finally {
    adding.delete(run)
  }
}

async function addOne(slot: ImageSlot, key: string, source: ReferenceSource): Promise<void> {
  // Removed while waiting its turn: nothing to do.
  if (!tilesOf(slot).some((t) => t.key === key)) return
  const input = await source.input()
  const result = 'error' in input ? ({ ok: false, error: { message: input.error } } as const) : await settle(api.addReference(input))
  const tiles = tilesOf(slot)
  if (!tiles.some((t) => t.key === key)) return
  const without = tiles.filter((t) => t.key !== key)
  if (!result.ok) {
    setTiles(slot, without)
    // Main's sentences name the file; anything else (a lost connection) gets the name in front.
    report(slot, result.error.message.includes('“') ? result.error.message : `${quoted(source.name)}: ${result.error.message}`)
    return
  }
  // The same image twice: the one earlier in the slot stays, whichever finished checking first.
  const position = tiles.findIndex((t) => t.key === key)
  const twin = tiles.findIndex((t) => t.status === 'ready' && t.image.hash === result.value.hash)
  if (twin >= 0 && twin < position) {
    setTiles(slot, without)
    report(slot, duplicate(slot, source.name))
    return
  }
  const ready: ReferenceTile = { key, status: 'ready', name: source.name, image: result.value }
  const later = twin > position ? tiles[twin] : undefined
  setTiles(slot, tiles.filter((t) => t !== later).map((t) => (t.key === key ? ready : t)))
  if (later) report(slot, duplicate(slot, later.name))
}
