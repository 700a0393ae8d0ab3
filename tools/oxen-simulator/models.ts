// The simulated model catalogue (API.md §4.6, §13): every schema file in ../shared/oxen/models, one custom
// fine-tuned model in the user's namespace, and non-image models that clients must filter out by capability.
// Seedream 5.0 Lite carries its schema in one of two revisions (API.md §3): 'seed' = Apr–May 2026 (SEED.md),
// 'current' = its schema file; under one key (`schemaKey`) so clients are tested reading either. The other
// models carry `request_schema` in the list and both keys on GET /api/ai/models/{id}, as the hub does.
import { CUSTOM_MODEL, fallbackCard, MODEL_CARDS, NON_IMAGE_MODELS, type GridRow, type ModelCard } from './model-cards'
import { liveSchema, seedreamSeedSchema, type ModelFile, type RequestSchema } from './schemas'

export type SchemaRevision = 'seed' | 'current'
export type SchemaKey = 'json_request_schema' | 'request_schema'
export type DeploymentStatus = 'running' | 'stopped'

export const SEEDREAM_ID = 'bytedance-seedream-5-lite'

export interface ImagePricing {
  method: 'per_image'
  /** For tiered models: the price at the schema's defaults. */
  cost_per_image: number
  cost_per_image_grid?: GridRow[]
}

export interface ImageModel {
  id: string
  mediaType: 'image'
  schema: RequestSchema
  pricing: ImagePricing
  /** A custom model whose deployment is stopped: its generations fail at run time. */
  stopped: boolean
  /** The list entry, and the answer of GET /api/ai/models/{id}. */
  object: Record<string, unknown>
  detail: Record<string, unknown>
}

export interface OtherModel {
  id: string
  mediaType: 'text' | 'video'
  object: Record<string, unknown>
  detail: Record<string, unknown>
}

export type CatalogModel = ImageModel | OtherModel

export interface CatalogOptions {
  revision: SchemaRevision
  schemaKey: SchemaKey
  /** Owner of the custom model. */
  namespace: string
  customDeployment: DeploymentStatus
  /** For absolute `endpoint` strings. */
  baseUrl: string
}

/** The price of the first tier whose every field equals the request's value (the schema default when not sent). */
function tierPrice(grid: GridRow[], schema: RequestSchema, fields: Record<string, unknown>): number | undefined {
  const value = (name: string): unknown => fields[name] ?? schema.properties[name]?.default
  return grid.find((row) => Object.entries(row).every(([name, v]) => name === 'cost_per_image' || value(name) === v))
    ?.cost_per_image
}

/** What a succeeded generation costs: one image's price (its tier) × `num_images` where the schema has it (Ideogram). */
export function generationCost(model: ImageModel, fields: Record<string, unknown>): number {
  const { pricing, schema } = model
  const price = (pricing.cost_per_image_grid && tierPrice(pricing.cost_per_image_grid, schema, fields)) ?? pricing.cost_per_image
  const images = schema.properties.num_images ? (fields.num_images ?? schema.properties.num_images.default) : 1
  return price * (typeof images === 'number' && Number.isInteger(images) && images > 0 ? images : 1)
}

function pricingOf(card: ModelCard, schema: RequestSchema): ImagePricing {
  if (typeof card.price === 'number') return { method: 'per_image', cost_per_image: card.price }
  const atDefaults = tierPrice(card.price, schema, {})
  if (atDefaults === undefined) throw new Error('A price grid must have a tier for the schema defaults')
  return { method: 'per_image', cost_per_image: atDefaults, cost_per_image_grid: card.price }
}

function endpoint(path: string, form: ModelCard['endpointForm'], baseUrl: string): string {
  if (form === 'short') return path
  return form === 'api' ? `/api/ai${path}` : `${baseUrl}/api/ai${path}`
}

interface ImageEntry {
  id: string
  displayName: string
  path: string
  card: ModelCard
  schema: RequestSchema
  ownedBy?: string
  custom?: { source: string; deployment: DeploymentStatus }
}

function imageModel(entry: ImageEntry, options: CatalogOptions, schemaKeys: { list: SchemaKey[]; detail: SchemaKey[] }): ImageModel {
  const { card, schema, custom } = entry
  const imageInput = Object.values(schema.properties).some((p) => p.renderType === 'image-url')
  const pricing = pricingOf(card, schema)
  const object: Record<string, unknown> = {
    id: entry.id,
    object: 'model',
    created: Date.parse(card.released_at) / 1000,
    owned_by: entry.ownedBy ?? 'oxen',
    display_name: entry.displayName,
    description: card.description,
    summary: card.summary,
    model_type: custom ? 'custom' : 'base',
    endpoint: endpoint(entry.path, card.endpointForm, options.baseUrl),
    capabilities: {
      input: card.input ?? [...('prompt' in schema.properties ? ['text'] : []), ...(imageInput ? ['image'] : [])],
      output: ['image'],
    },
    pricing,
    fine_tuning: custom ? { base_model: custom.source, dataset: `${options.namespace}/${CUSTOM_MODEL.dataset}` } : null,
    deployments: custom ? [{ id: `${entry.id}-deployment`, status: custom.deployment, created_at: card.released_at }] : [],
    // No logo URL: nothing in the simulator may point off loopback.
    developer: { name: card.developer, logo: null },
    source_model: custom?.source ?? null,
    image_url: null,
    released_at: card.released_at,
    ...Object.fromEntries(schemaKeys.list.map((key) => [key, schema])),
  }
  return {
    id: entry.id,
    mediaType: 'image',
    schema,
    pricing,
    stopped: custom?.deployment === 'stopped',
    object,
    detail: { ...object, ...Object.fromEntries(schemaKeys.detail.map((key) => [key, schema])) },
  }
}

export function buildCatalog(files: ModelFile[], options: CatalogOptions): CatalogModel[] {
  const hubKeys: { list: SchemaKey[]; detail: SchemaKey[] } = { list: ['request_schema'], detail: ['request_schema', 'json_request_schema'] }
  const models = files.map((file) => {
    const card = MODEL_CARDS[file.id] ?? fallbackCard(file.display_name)
    const entry = { id: file.id, displayName: file.display_name, path: file.endpoint, card }
    if (file.id !== SEEDREAM_ID) return imageModel({ ...entry, schema: liveSchema(file.json_request_schema, card.patch) }, options, hubKeys)
    const seed = options.revision === 'seed'
    const schema = seed ? seedreamSeedSchema() : liveSchema(file.json_request_schema, card.patch)
    // The sync example moved from /images/generate to /images/edit in late May (API.md §3).
    const path = seed ? '/images/generate' : file.endpoint
    return imageModel({ ...entry, path, schema }, options, { list: [options.schemaKey], detail: [options.schemaKey] })
  })

  const base = files.find((file) => file.id === CUSTOM_MODEL.base)
  if (!base) throw new Error(`The custom model needs ${CUSTOM_MODEL.base}.json among the model schemas`)
  const custom = imageModel(
    {
      id: `${options.namespace}-${CUSTOM_MODEL.suffix}`,
      displayName: CUSTOM_MODEL.display_name,
      path: base.endpoint,
      card: CUSTOM_MODEL.card(options.namespace),
      schema: liveSchema(base.json_request_schema),
      ownedBy: options.namespace,
      custom: { source: CUSTOM_MODEL.base, deployment: options.customDeployment },
    },
    options,
    hubKeys,
  )

  const others: OtherModel[] = NON_IMAGE_MODELS.map((object) => {
    const output = (object.capabilities as { output: string[] }).output
    return { id: object.id as string, mediaType: output.includes('video') ? 'video' : 'text', object, detail: object }
  })
  return [...models, custom, ...others]
}
