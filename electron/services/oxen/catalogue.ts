// Oxen's image models: `GET /api/ai/models` filtered by `capabilities.output ∋ image` (never a list of ids of
// ours, API.md §13), saved in the data folder with the time it was fetched, so the picker, the forms, model
// names and prices work offline. Refreshed at start and on demand; a failed refresh keeps the saved copy and
// says why.
import { readFile } from 'node:fs/promises'
import type { ModelCatalogue, ModelForm, ModelKind, ModelSummary } from '../../../shared/domain'
import { AppFailure, toAppError } from '../errors'
import type { Logger } from '../log'
import { writeFileAtomic } from '../write-atomic'
import type { OxenClient } from './client'
import { deriveModelForm, readPrice } from './model-form'

type Json = Record<string, unknown>

interface Saved {
  /** The API origin the list came from: a list from another server is not shown. */
  server: string
  fetchedAt: number
  models: Json[]
}

export interface CatalogueDeps {
  client: () => OxenClient
  /** Where the list is saved (`<dataDir>/catalogue.json`). */
  file: string
  log: Logger
}

export interface Catalogue {
  list(): Promise<ModelCatalogue>
  refresh(): Promise<ModelCatalogue>
  /** A model's form, from the saved record (read from Oxen when the list has no schema for it). */
  form(modelId: string): Promise<ModelForm>
}

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [])

export function isImageModel(model: Json): boolean {
  return isRecord(model.capabilities) && strings(model.capabilities.output).includes('image')
}

/** What the picker shows of a model record. */
export function summarize(model: Json): ModelSummary {
  const id = String(model.id)
  const input = isRecord(model.capabilities) ? strings(model.capabilities.input) : []
  const takesImages = input.includes('image')
  const takesPrompt = input.includes('text')
  const kind: ModelKind = takesImages ? (takesPrompt ? 'edit' : 'upscale') : 'generate'
  const schema = schemaOf(model)
  const deployment = Array.isArray(model.deployments) && isRecord(model.deployments[0]) ? model.deployments[0].status : undefined
  const developer = isRecord(model.developer) && typeof model.developer.name === 'string' ? model.developer.name : undefined
  const description = typeof model.summary === 'string' ? model.summary : typeof model.description === 'string' ? model.description : undefined
  return {
    id,
    displayName: typeof model.display_name === 'string' && model.display_name ? model.display_name : id,
    ...(developer ? { developer } : {}),
    ...(description ? { description } : {}),
    kind,
    takes: {
      prompt: takesPrompt,
      images: takesImages,
      mask: Boolean(schema && Object.keys(isRecord(schema.properties) ? schema.properties : {}).some((name) => /mask/i.test(name))),
    },
    price: readPrice(model),
    ...(model.model_type === 'custom' ? { custom: { deployment: typeof deployment === 'string' ? deployment : 'unknown' } } : {}),
  }
}

function schemaOf(model: Json): Json | null {
  for (const key of ['request_schema', 'json_request_schema']) {
    const value = model[key]
    if (isRecord(value)) return value
    if (typeof value === 'string') {
      try {
        const parsed: unknown = JSON.parse(value)
        if (isRecord(parsed)) return parsed
      } catch {
        // not JSON: the form is read from the model's own record instead (form())
      }
    }
  }
  return null
}

export function createCatalogue(deps: CatalogueDeps): Catalogue {
  let saved: Saved | null = null
  let loaded: Promise<void> | null = null
  let lastError: string | undefined
  let refreshing: Promise<ModelCatalogue> | null = null

  const load = () =>
    (loaded ??= readFile(deps.file, 'utf8')
      .then((text) => {
        const value: unknown = JSON.parse(text)
        if (isRecord(value) && typeof value.server === 'string' && typeof value.fetchedAt === 'number' && Array.isArray(value.models)) {
          saved = { server: value.server, fetchedAt: value.fetchedAt, models: value.models.filter(isRecord) }
        }
      })
      .catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') deps.log.warn('the saved model list could not be read; it is fetched again', { error })
      }))

  /** The saved list, if it came from the server Atelier talks to now. */
  const current = (): Saved | null => (saved && saved.server === deps.client().origin ? saved : null)

  async function list(): Promise<ModelCatalogue> {
    await load()
    const here = current()
    return {
      models: (here?.models ?? []).map(summarize).sort((a, b) => a.displayName.localeCompare(b.displayName)),
      fetchedAt: here?.fetchedAt ?? null,
      ...(lastError ? { error: lastError } : {}),
    }
  }

  async function fetchAll(): Promise<void> {
    const client = deps.client()
    const body = await client.getJson('/api/ai/models', 'Loading the list of models')
    const data = isRecord(body) && Array.isArray(body.data) ? body.data : Array.isArray(body) ? body : null
    if (!data) throw new AppFailure('oxen-error', 'Oxen answered the list of models in a form Atelier cannot read.')
    const next: Saved = { server: client.origin, fetchedAt: Date.now(), models: data.filter(isRecord).filter(isImageModel) }
    await writeFileAtomic(deps.file, JSON.stringify(next))
    saved = next
  }

  async function refresh(): Promise<ModelCatalogue> {
    await load()
    refreshing ??= fetchAll()
      .then(() => (lastError = undefined))
      .catch((error: unknown) => {
        lastError = `The list of models could not be refreshed: ${toAppError(error).message}`
        deps.log.warn('the model list could not be refreshed; the saved one is shown', { error })
      })
      .then(list)
      .finally(() => (refreshing = null))
    return refreshing
  }

  async function form(modelId: string): Promise<ModelForm> {
    await load()
    const record = current()?.models.find((m) => m.id === modelId)
    if (record && schemaOf(record)) return deriveModelForm(modelId, record)
    const model = await deps.client().getModel(modelId)
    return deriveModelForm(modelId, record ? { ...record, ...model } : model)
  }

  return { list, refresh, form }
}
