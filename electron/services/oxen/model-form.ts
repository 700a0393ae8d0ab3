// The request form is built from the model's live JSON schema (API.md §3, §4.6): field names drift
// between revisions (image_input → input_image, aspect_ratio gone, 4K added), so nothing here names them.
import type { FormField, ModelForm, ParamValue } from '../../../shared/domain'
import { AppFailure } from '../errors'

interface JsonSchemaProperty {
  type?: string | string[]
  enum?: unknown[]
  default?: unknown
  title?: string
  description?: string
  items?: JsonSchemaProperty
  maxItems?: number
  minimum?: number
  maximum?: number
  format?: string
  renderType?: string
  'x-order'?: number
  'x-hidden'?: boolean
  'x-media-references'?: unknown
}

interface JsonRequestSchema {
  properties: Record<string, JsonSchemaProperty>
  required?: string[]
  basic?: string[]
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function readSchema(model: Record<string, unknown>): JsonRequestSchema {
  // The catalog calls it request_schema, the per-model page json_request_schema; either may be a JSON string.
  for (const key of ['json_request_schema', 'request_schema'] as const) {
    let candidate = model[key]
    if (typeof candidate === 'string') {
      try {
        candidate = JSON.parse(candidate)
      } catch {
        continue // not JSON: try the other key; with neither readable, the failure below says so
      }
    }
    if (isRecord(candidate) && isRecord(candidate.properties)) return candidate as unknown as JsonRequestSchema
  }
  throw new AppFailure(
    'oxen-error',
    'Oxen described this model without a request schema Atelier can read, so its settings cannot be shown. Try again later or pick another model.',
  )
}

const humanize = (name: string) => {
  const words = name.replace(/[_-]+/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

const typeOf = (p: JsonSchemaProperty): string | undefined =>
  Array.isArray(p.type) ? p.type.find((t) => t !== 'null') : p.type

function isImageField(p: JsonSchemaProperty): boolean {
  const item = typeOf(p) === 'array' ? (p.items ?? {}) : p
  return p.renderType === 'image-url' || item.renderType === 'image-url' || (typeOf(item) === 'string' && item.format === 'uri')
}

function toField(name: string, p: JsonSchemaProperty, basic: boolean): FormField | null {
  const common = { name, label: p.title?.trim() || humanize(name), basic, ...(p.description ? { description: p.description } : {}) }
  const type = typeOf(p)
  if (isImageField(p)) {
    const list = type === 'array'
    return { ...common, kind: 'images', list, maxItems: list ? (p.maxItems ?? 14) : 1 }
  }
  if (Array.isArray(p.enum) && p.enum.length > 0 && p.enum.every((o) => typeof o === 'string')) {
    const options = p.enum as string[]
    const def = typeof p.default === 'string' && options.includes(p.default) ? p.default : undefined
    return { ...common, kind: 'enum', options, ...(def !== undefined ? { default: def } : {}) }
  }
  if (type === 'boolean') return { ...common, kind: 'boolean', ...(typeof p.default === 'boolean' ? { default: p.default } : {}) }
  if (type === 'integer' || type === 'number') {
    return {
      ...common,
      kind: 'number',
      integer: type === 'integer',
      ...(typeof p.minimum === 'number' ? { min: p.minimum } : {}),
      ...(typeof p.maximum === 'number' ? { max: p.maximum } : {}),
      ...(typeof p.default === 'number' ? { default: p.default } : {}),
    }
  }
  if (type === 'string') return { ...common, kind: 'text', ...(typeof p.default === 'string' ? { default: p.default } : {}) }
  return null // objects and other shapes have no control yet; Oxen applies their defaults
}

const PROMPT_FIELD = 'prompt'

export function deriveModelForm(modelId: string, model: unknown): ModelForm {
  if (!isRecord(model)) throw new AppFailure('oxen-error', `Oxen returned an unreadable description of ${modelId}. Try again later.`)
  const schema = readSchema(model)
  if (!schema.properties[PROMPT_FIELD]) {
    throw new AppFailure('oxen-error', `${modelId} does not take a text prompt, so Atelier cannot drive it yet.`)
  }
  const basic = new Set(schema.basic ?? Object.keys(schema.properties))
  const ordered = Object.entries(schema.properties)
    .filter(([name, p]) => name !== PROMPT_FIELD && !p['x-hidden'])
    .sort(([, a], [, b]) => (a['x-order'] ?? Number.MAX_SAFE_INTEGER) - (b['x-order'] ?? Number.MAX_SAFE_INTEGER))
  const fields = ordered.map(([name, p]) => toField(name, p, basic.has(name))).filter((f): f is FormField => f !== null)
  const displayName = typeof model.display_name === 'string' && model.display_name ? model.display_name : modelId
  return { modelId, displayName, promptField: PROMPT_FIELD, fields }
}

/**
 * The model-specific part of a request body: the prompt, every param checked against the form, and the
 * reference URLs in the form's image field. Unknown names and values outside the schema are refused with a
 * message that names them, rather than silently sent.
 */
export function buildModelFields(
  form: ModelForm,
  prompt: string,
  params: Record<string, ParamValue>,
  referenceUrls: string[] = [],
): Record<string, unknown> {
  const body: Record<string, unknown> = { [form.promptField]: prompt }
  const byName = new Map(form.fields.map((f) => [f.name, f]))
  for (const [name, value] of Object.entries(params)) {
    const field = byName.get(name)
    if (!field || field.kind === 'images') {
      throw new AppFailure('invalid-input', `${form.displayName} has no setting called “${name}”. Reload the composer and try again.`)
    }
    body[name] = checkValue(field, value)
  }
  if (referenceUrls.length > 0) {
    const imageField = form.fields.find((f) => f.kind === 'images')
    if (!imageField || imageField.kind !== 'images') {
      throw new AppFailure('invalid-input', `${form.displayName} does not accept reference images. Remove them and try again.`)
    }
    if (referenceUrls.length > imageField.maxItems) {
      throw new AppFailure('invalid-input', `${form.displayName} accepts at most ${imageField.maxItems} reference image(s).`)
    }
    body[imageField.name] = imageField.list ? referenceUrls : referenceUrls[0]
  }
  return body
}

function checkValue(field: Exclude<FormField, { kind: 'images' }>, value: ParamValue): ParamValue {
  const bad = (expected: string) =>
    new AppFailure('invalid-input', `${field.label} must be ${expected}; got “${String(value).slice(0, 40)}”.`)
  switch (field.kind) {
    case 'enum':
      if (typeof value !== 'string' || !field.options.includes(value)) throw bad(`one of ${field.options.join(', ')}`)
      return value
    case 'boolean':
      if (typeof value !== 'boolean') throw bad('on or off')
      return value
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value) || (field.integer && !Number.isInteger(value))) {
        throw bad(field.integer ? 'a whole number' : 'a number')
      }
      if ((field.min !== undefined && value < field.min) || (field.max !== undefined && value > field.max)) {
        throw bad(`between ${field.min ?? '−∞'} and ${field.max ?? '∞'}`)
      }
      return value
    case 'text':
      if (typeof value !== 'string') throw bad('text')
      return value
  }
}
