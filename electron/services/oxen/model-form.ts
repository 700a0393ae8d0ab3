// A model's request form, built from its live JSON schema (API.md §3, §4.6, §13), for any image model of Oxen's
// family: field names drift between revisions and models, so no model or field is named here. The few
// conventions read from names (prompt, seed, counts, image-like lists) are stated where they are used. Every body
// is validated against the schema before it is sent: Oxen validates only at run time, after billing starts.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv'
import { MAX_REFERENCES, type FormField, type ModelForm, type ModelPrice, type ParamValue } from '../../../shared/domain'
import { AppFailure } from '../errors'

type Json = Record<string, unknown>

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [])

/** The schema under either key (the catalogue says request_schema, the model page json_request_schema), maybe as a JSON string. */
function readSchema(model: Json): Json & { properties: Json } {
  for (const key of ['json_request_schema', 'request_schema'] as const) {
    let candidate = model[key]
    if (typeof candidate === 'string') {
      try {
        candidate = JSON.parse(candidate)
      } catch {
        continue // not JSON: try the other key; with neither readable, the failure below says so
      }
    }
    if (isRecord(candidate) && isRecord(candidate.properties)) return candidate as Json & { properties: Json }
  }
  throw new AppFailure(
    'oxen-error',
    'Oxen described this model without a request schema Atelier can read, so its settings cannot be shown. Try again later or pick another model.',
  )
}

/** The one non-null type of a property ('string' for ['string', 'null']); undefined when it has none or several. */
function typeOf(p: Json): string | undefined {
  const types = (Array.isArray(p.type) ? p.type : [p.type]).filter((t) => t !== undefined && t !== 'null')
  return types.length === 1 && typeof types[0] === 'string' ? types[0] : undefined
}

const humanize = (name: string) => {
  const words = name.replace(/[_-]+/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}
const labelOf = (name: string, p: Json) => (typeof p.title === 'string' && p.title.trim()) || humanize(name)

// Image inputs are known by renderType 'image-url' or `format: uri` where the schema has them; the doc pages' lists
// (`input_image`, `image_style_references`) have neither, so a list named like an image or reference counts too.
const IMAGE_NAME = /image|mask|reference/i
/** Counts of the model's own (ideogram's num_images; `n` as in the OpenAPI spec): always sent as 1. */
const COUNT_NAME = /^(n|num_(images|outputs)|number_of_(images|outputs)|batch_size)$/
/** A cap stated only in prose, e.g. krea's "At most 10 entries." */
const PROSE_CAP = /\b(?:at most|up to)\s+(\d+)\b/i

function imageShape(name: string, p: Json): { list: boolean; itemKey?: string } | null {
  const marked = (s: Json) => s.renderType === 'image-url' || s.format === 'uri'
  const type = typeOf(p)
  if (type === 'string') return p.renderType === 'image-url' || (p.format === 'uri' && IMAGE_NAME.test(name)) ? { list: false } : null
  if (type !== 'array' || !isRecord(p.items)) return null
  const items = p.items
  const imageList = p.renderType === 'image-url' || IMAGE_NAME.test(name)
  if (typeOf(items) === 'string' && items.enum === undefined && (marked(items) || imageList)) return { list: true }
  if (typeOf(items) !== 'object' || !imageList) return null
  // A list of objects holds each URL under the key its item schema marks as one, else under `url` (krea's item
  // schema says only `type: object`).
  const props = isRecord(items.properties) ? items.properties : {}
  const urlKey = Object.keys(props).find((key) => isRecord(props[key]) && marked(props[key]))
  return { list: true, itemKey: urlKey ?? 'url' }
}

function toField(name: string, p: Json, basic: boolean, required: boolean): FormField {
  const description = typeof p.description === 'string' && p.description ? p.description : undefined
  const common = { name, label: labelOf(name, p), basic, required, ...(description ? { description } : {}) }
  const image = imageShape(name, p)
  if (image) {
    const cap = finite(p.maxItems) ?? Number(description?.match(PROSE_CAP)?.[1] ?? MAX_REFERENCES)
    return {
      ...common,
      kind: 'images',
      list: image.list,
      minItems: Math.max(image.list ? (finite(p.minItems) ?? 0) : 0, required ? 1 : 0),
      maxItems: image.list ? cap : 1,
      ...(image.itemKey ? { itemKey: image.itemKey } : {}),
      role: /mask/i.test(name) ? 'mask' : 'input',
    }
  }
  const type = typeOf(p)
  if (Array.isArray(p.enum)) {
    const options = p.enum.filter((o) => o !== null) // nullable enums list null; "not set" is leaving it out
    if (options.length > 0 && options.every((o) => typeof o === 'string')) {
      const def = typeof p.default === 'string' && options.includes(p.default) ? p.default : undefined
      return { ...common, kind: 'enum', options, ...(def !== undefined ? { default: def } : {}) }
    }
  } else if (type === 'boolean') {
    return { ...common, kind: 'boolean', ...(typeof p.default === 'boolean' ? { default: p.default } : {}) }
  } else if (type === 'integer' || type === 'number') {
    const [min, max, def] = [finite(p.minimum), finite(p.maximum), finite(p.default)]
    return {
      ...common,
      kind: 'number',
      integer: type === 'integer',
      ...(min !== undefined ? { min } : {}),
      ...(max !== undefined ? { max } : {}),
      ...(def !== undefined ? { default: def } : {}),
      ...(name === 'seed' && type === 'integer' ? { role: 'seed' as const } : {}),
    }
  } else if (type === 'string') {
    // Prompts of their own (negative_prompt…) are written like the prompt: several lines.
    return { ...common, kind: 'text', multiline: /prompt/i.test(name), ...(typeof p.default === 'string' ? { default: p.default } : {}) }
  }
  // Objects, unions, lists of anything but images, enums of non-strings: edited as JSON against their own schema.
  return { ...common, kind: 'json', schema: p as Record<string, ParamValue>, ...(p.default !== undefined ? { default: p.default as ParamValue } : {}) }
}

export function deriveModelForm(modelId: string, model: unknown): ModelForm {
  if (!isRecord(model)) throw new AppFailure('oxen-error', `Oxen returned an unreadable description of ${modelId}. Try again later.`)
  const schema = readSchema(model)
  const prop = (name: string): Json => (isRecord(schema.properties[name]) ? schema.properties[name] : {})
  const required = new Set(strings(schema.required))
  const basic = Array.isArray(schema.basic) ? new Set(strings(schema.basic)) : null
  // The prompt is the string property named `prompt`, as in every schema of the family; models without one
  // (upscalers) have no prompt.
  const promptField = typeOf(prop('prompt')) === 'string' ? 'prompt' : null
  const countField = Object.keys(schema.properties).find((name) => COUNT_NAME.test(name) && typeOf(prop(name)) === 'integer')
  const order = (name: string) => finite(prop(name)['x-order']) ?? Number.MAX_SAFE_INTEGER
  const fields = Object.keys(schema.properties)
    .filter((name) => name !== promptField && name !== countField && prop(name)['x-hidden'] !== true)
    .sort((a, b) => order(a) - order(b)) // stable: schema order where x-order ties or is absent
    .map((name) => toField(name, prop(name), basic?.has(name) ?? true, required.has(name)))
  return {
    modelId,
    displayName: typeof model.display_name === 'string' && model.display_name ? model.display_name : modelId,
    promptField,
    promptRequired: promptField !== null && required.has(promptField),
    fields,
    ...(countField ? { countField } : {}),
    price: readPrice(model),
    schema: schema as Record<string, ParamValue>,
  }
}

/** A price in USD: a number, or a decimal string as Oxen writes amounts elsewhere (a generation's `cost`). */
function usd(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined
}

/**
 * The model's price per image from `pricing`: `cost_per_image`, and `cost_per_image_grid` rows such as
 * `{quality: 'low', resolution: '1K', cost_per_image: 0.012}` as tiers (a row applies when every other field of it
 * equals the request's value). Null when neither can be read.
 */
export function readPrice(model: unknown): ModelPrice | null {
  const pricing = isRecord(model) && isRecord(model.pricing) ? model.pricing : null
  if (!pricing) return null
  const perImage = usd(pricing.cost_per_image)
  const rows = Array.isArray(pricing.cost_per_image_grid) ? pricing.cost_per_image_grid : []
  const tiers = rows.flatMap((row) => {
    const each = isRecord(row) ? usd(row.cost_per_image) : undefined
    if (!isRecord(row) || each === undefined) return []
    const when = Object.entries(row).filter(([key]) => key !== 'cost_per_image')
    if (!when.every(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))) return [] // a row no request value can equal
    return [{ when: Object.fromEntries(when.map(([key, v]) => [key, String(v)])), perImage: each }]
  })
  if (perImage === undefined && tiers.length === 0) return null
  return { ...(perImage !== undefined ? { perImage } : {}), ...(tiers.length > 0 ? { tiers } : {}) }
}

/**
 * A request body from the composer's values: the prompt, the params by field name (null and '' mean "not set": the
 * model applies its default), image URLs by field name in the field's shape, and the model's own count as 1.
 * Unknown names are refused; the body is then validated (validateBody). No `model` or `num_generations`.
 */
export function buildRequestBody(
  form: ModelForm,
  input: { prompt: string; params: Record<string, ParamValue>; images: Record<string, string[]> },
): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  if (input.prompt.trim()) {
    if (form.promptField === null) throw new AppFailure('invalid-input', `${form.displayName} takes no prompt: clear it.`)
    body[form.promptField] = input.prompt
  }
  const byName = new Map(form.fields.map((f) => [f.name, f]))
  for (const [name, value] of Object.entries(input.params)) {
    const field = byName.get(name)
    if (!field || field.kind === 'images') {
      throw new AppFailure('invalid-input', `${form.displayName} has no setting called “${name}”. Reload the composer and try again.`)
    }
    if (value !== null && value !== '') body[name] = value
  }
  for (const [name, urls] of Object.entries(input.images)) {
    const field = byName.get(name)
    if (field?.kind !== 'images') {
      throw new AppFailure('invalid-input', `${form.displayName} has no image field called “${name}”. Reload the composer and try again.`)
    }
    if (urls.length === 0) continue
    if (!field.list) {
      if (urls.length > 1) throw new AppFailure('invalid-input', `${field.label} takes one image: remove ${urls.length - 1}.`)
      body[name] = urls[0]
    } else {
      const key = field.itemKey
      body[name] = key ? urls.map((url) => ({ [key]: url })) : urls
    }
  }
  if (form.countField) body[form.countField] = 1
  validateBody(form, body)
  return body
}

/** Throws AppFailure('invalid-input') with one plain sentence per problem, each naming the field by its label. */
export function validateBody(form: ModelForm, body: Record<string, unknown>): void {
  const validate = validatorFor(form)
  if (validate(body)) return
  const errors = validate.errors ?? []
  // Inside anyOf/oneOf every branch's complaint is reported: the union's own error says it once. A value outside
  // an enum is also of the wrong type when it is not text: "must be one of" says both.
  const union = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
  const enums = new Set(errors.filter((e) => e.keyword === 'enum').map((e) => e.instancePath))
  const sentences = errors
    .filter((e) => !union.some((u) => e.schemaPath.startsWith(`${u.schemaPath}/`)))
    .filter((e) => !(e.keyword === 'type' && enums.has(e.instancePath)))
    .map((e) => sentence(form, e))
  throw new AppFailure('invalid-input', [...new Set(sentences)].join(' '))
}

/**
 * Oxen accepts http(s) URLs and image data URIs as input images (API.md §10): a format of our own rather than
 * ajv-formats' RFC 3986 `uri`, which would pass `ftp:` or `urn:` and runs a long regex over multi-MB data URIs.
 */
const fetchable = (s: string): boolean => (/^https?:\/\//i.test(s) ? URL.canParse(s) : /^data:image\/[\w.+-]+;base64,/i.test(s))

// strict: false lets Oxen's own keywords (basic, x-order, renderType…) through; logger: false keeps formats this
// app has no check for (ignored) out of the log. verbose: errors carry their schema, for "between 1 and 50".
const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, logger: false, formats: { uri: fetchable } })
/** By the prepared schema's text: a form is derived anew for each job, and ajv keeps every schema it compiles. */
const validators = new Map<string, ValidateFunction>()

function validatorFor(form: ModelForm): ValidateFunction {
  const schema = structuredClone(form.schema) as Json
  delete schema.$schema // ajv knows draft-07 only; the keywords read here are common to every draft
  allowNulls(schema)
  // Image fields are held to the form's reading of them: URLs Oxen can fetch (the doc pages' lists state no
  // format), and the form's cap (which a schema may state only in prose, or not at all).
  const properties = isRecord(schema.properties) ? schema.properties : {}
  for (const f of form.fields) {
    const p = properties[f.name]
    if (f.kind !== 'images' || !isRecord(p)) continue
    if (!f.list) {
      p.format = 'uri'
      continue
    }
    p.maxItems = f.maxItems
    const items = isRecord(p.items) ? p.items : (p.items = {})
    if (f.itemKey) items.properties = { ...(isRecord(items.properties) ? items.properties : {}), [f.itemKey]: { type: 'string', format: 'uri' } }
    else items.format = 'uri'
  }
  const key = JSON.stringify(schema)
  let validate = validators.get(key)
  if (!validate) {
    try {
      validate = ajv.compile(schema)
    } catch (error) {
      throw new AppFailure(
        'oxen-error',
        `Oxen described ${form.displayName} with a request schema Atelier cannot check, so nothing was sent. Try again later or pick another model.`,
        { cause: error },
      )
    }
    validators.set(key, validate)
  }
  return validate
}

/** Oxen's OpenAPI-style `nullable: true` as JSON Schema: null besides the stated type and enum (ajv refuses it without `type`). */
function allowNulls(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(allowNulls)
  if (!isRecord(node)) return
  if (node.nullable === true) {
    if (typeof node.type === 'string') node.type = [node.type, 'null']
    else if (Array.isArray(node.type) && !node.type.includes('null')) node.type = [...node.type, 'null']
    if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum = [...node.enum, null]
  }
  if (typeof node.nullable === 'boolean') delete node.nullable
  Object.values(node).forEach(allowNulls)
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'empty',
}
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v))

/** One ajv error as a sentence: "Quality must be one of low, medium, high." */
function sentence(form: ModelForm, e: ErrorObject): string {
  const labelFor = (name: string) => {
    const field = form.fields.find((f) => f.name === name)
    const p = isRecord(form.schema.properties) ? form.schema.properties[name] : undefined
    return field?.label ?? labelOf(name, isRecord(p) ? p : {})
  }
  const [top, ...inner] = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  const field = form.fields.find((f) => f.name === top)
  const where =
    top === undefined
      ? form.displayName
      : labelFor(top) + (inner.length > 0 ? ` (${inner.map((s) => (/^\d+$/.test(s) ? `item ${Number(s) + 1}` : s)).join(', ')})` : '')
  const items = field?.kind === 'images' ? 'image' : 'item'
  const s = isRecord(e.parentSchema) ? e.parentSchema : {}
  switch (e.keyword) {
    case 'required': {
      const missing = String(e.params.missingProperty)
      if (top !== undefined) return `${where} is missing ${missing}.`
      const kind = form.fields.find((f) => f.name === missing)?.kind
      const hint = missing === form.promptField || kind === 'text' ? 'write one' : kind === 'images' ? 'add an image' : kind === 'enum' ? 'choose one' : 'set it'
      return `${labelFor(missing)} is required: ${hint}.`
    }
    case 'enum':
      return `${where} must be one of ${(e.params.allowedValues as unknown[]).filter((v) => v !== null).map(shown).join(', ')}.`
    case 'type':
      return `${where} must be ${String(e.params.type).split(',').map((t) => TYPE_WORDS[t] ?? t).join(' or ')}.`
    case 'minimum':
    case 'maximum': {
      const [min, max] = [finite(s.minimum), finite(s.maximum)]
      if (min !== undefined && max !== undefined) return `${where} must be between ${min} and ${max}.`
      return `${where} must be ${e.keyword === 'minimum' ? 'at least' : 'at most'} ${shown(e.params.limit)}.`
    }
    case 'exclusiveMinimum':
      return `${where} must be more than ${shown(e.params.limit)}.`
    case 'exclusiveMaximum':
      return `${where} must be less than ${shown(e.params.limit)}.`
    case 'maxItems':
      return `${where} takes at most ${plural(Number(e.params.limit), items)}.`
    case 'minItems':
      return `${where} takes at least ${plural(Number(e.params.limit), items)}.`
    case 'maxLength':
      return `${where} must be at most ${plural(Number(e.params.limit), 'character')}.`
    case 'minLength':
      return `${where} must be at least ${plural(Number(e.params.limit), 'character')}.`
    case 'format':
      return e.params.format === 'uri'
        ? `${where} must be a web address (http or https) or an image data URI.`
        : `${where} must be a valid ${shown(e.params.format)}.`
    case 'additionalProperties':
      return `${where} has no setting called “${shown(e.params.additionalProperty)}”.`
    case 'anyOf':
    case 'oneOf':
      return `${where} is not in a form this model accepts.`
    default:
      return `${where} ${e.message ?? 'is not valid'}.`
  }
}
