// Model-field checks. The queue checks only the model and num_generations (API.md §13); a bad model field
// surfaces at run time as a failed generation with an error_message (API.md §5), so these checks run when a
// job is processed. Wording is ours (Oxen documents none): "Invalid input: <field> …".
import type { JsonSchemaProperty, RequestSchema } from './schemas'

/** Fields that steer the queue itself rather than the model. */
const QUEUE_FIELDS = new Set(['model', 'prompt', 'num_generations'])

const REFERENCE_URL = /^(https?:\/\/\S+|data:image\/[a-z0-9.+-]+;base64,\S+)$/i

/** The request's model fields: everything except the queue's own fields, echoed on the row. */
export function modelFields(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([key]) => !QUEUE_FIELDS.has(key)))
}

const missing = (value: unknown): boolean =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)

const shown = (value: unknown): string => JSON.stringify(typeof value === 'string' ? value.slice(0, 80) : value)

function range(prop: JsonSchemaProperty): string {
  const { minimum: min, maximum: max } = prop
  if (min !== undefined && max !== undefined) return `between ${min} and ${max}`
  return min !== undefined ? `at least ${min}` : `at most ${max}`
}

/** First problem with one present field, or null. */
function checkField(name: string, prop: JsonSchemaProperty, value: unknown): string | null {
  const invalid = (what: string): string => `Invalid input: ${name} ${what} (got ${shown(value)}).`
  switch (prop.type) {
    case 'string':
      if (typeof value !== 'string') return invalid('must be a string')
      if (prop.enum && !prop.enum.includes(value)) return invalid(`must be one of ${prop.enum.join(', ')}`)
      if (prop.format === 'uri' && !REFERENCE_URL.test(value)) return invalid('must be an http(s) URL or a data URI')
      return null
    case 'boolean':
      return typeof value === 'boolean' ? null : invalid('must be true or false')
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value) || (prop.type === 'integer' && !Number.isInteger(value)))
        return invalid(`must be ${prop.type === 'integer' ? 'an integer' : 'a number'}`)
      if ((prop.minimum !== undefined && value < prop.minimum) || (prop.maximum !== undefined && value > prop.maximum))
        return invalid(`must be ${range(prop)}`)
      return null
    case 'array': {
      if (!Array.isArray(value)) return invalid('must be a list')
      if (prop.maxItems !== undefined && value.length > prop.maxItems)
        return `Invalid input: ${name} accepts at most ${prop.maxItems} items (got ${value.length}).`
      if (prop.minItems !== undefined && value.length < prop.minItems)
        return `Invalid input: ${name} needs at least ${prop.minItems} items (got ${value.length}).`
      for (const item of value) {
        if (prop.items?.type === 'object') {
          if (item === null || typeof item !== 'object' || Array.isArray(item)) return `Invalid input: every ${name} item must be an object.`
        } else if (typeof item !== 'string') {
          return `Invalid input: every ${name} item must be a string.`
        } else if (prop.items?.format === 'uri' && !REFERENCE_URL.test(item)) {
          return `Invalid input: ${name} items must be http(s) URLs or data URIs (got ${shown(item)}).`
        }
      }
      return null
    }
  }
}

/**
 * First problem with the fields, as the job's error_message; null if none. Required fields first (the prompt is
 * the queue's: checked at enqueue), then every schema field present, in schema order. Unknown fields are ignored.
 */
export function checkFields(schema: RequestSchema, fields: Record<string, unknown>): string | null {
  for (const name of schema.required) {
    if (!QUEUE_FIELDS.has(name) && missing(fields[name])) return `Invalid input: ${name} is required.`
  }
  for (const [name, prop] of Object.entries(schema.properties)) {
    const value = fields[name]
    if (QUEUE_FIELDS.has(name) || value === undefined || value === null) continue
    const problem = checkField(name, prop, value)
    if (problem) return problem
  }
  return null
}

/** The reference images to load, in schema order: every URL of every `renderType: image-url` field. */
export function referenceUrls(schema: RequestSchema, fields: Record<string, unknown>): string[] {
  return Object.entries(schema.properties)
    .filter(([, prop]) => prop.renderType === 'image-url')
    .sort(([, a], [, b]) => a['x-order'] - b['x-order'])
    .flatMap(([name]) => fields[name] ?? [])
    .filter((url): url is string => typeof url === 'string')
}
