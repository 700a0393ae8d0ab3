// Builds every main-process service from its dependencies. The Electron shell and the browser harness
// both call this, so they run the same code and differ only in transport and platform adapters.
import { join } from 'node:path'
import type { EventName, EventPayload } from '../../shared/contract'
import type { KeyTestResult, ModelForm, Settings } from '../../shared/domain'
import { createDispatcher, type Logger, type RequestHandlers } from './dispatch'
import { AppFailure, toAppError } from './errors'
import { JobEngine } from './jobs'
import { openLibrary, type MediaVariant } from './library'
import { deriveModelForm } from './model-form'
import { OxenClient, type FetchLike } from './oxen-client'
import { createReferenceStore } from './references'
import { createSecretStore, type KeytarLike } from './secrets'
import { createSettingsService, type SettingsBacking } from './settings'

export interface AppServicesOptions {
  /** Holds the library (index + images) and logs; never the API key. */
  dataDir: string
  keytar: KeytarLike | Error
  keychainService?: string
  settingsBacking: SettingsBacking
  /** Values that win for this run without being saved (e.g. the harness's --oxen-url). */
  settingsOverrides?: Partial<Settings>
  mediaUrl: (imageId: string, variant: MediaVariant) => string
  emit: <N extends EventName>(name: N, payload: EventPayload<N>) => void
  log: Logger
  fetch?: FetchLike
  timing?: { pollIntervalMs?: number; safetyPollMs?: number; retryBaseMs?: number }
}

export function createAppServices(opts: AppServicesOptions) {
  const secrets = createSecretStore({ keytar: opts.keytar, ...(opts.keychainService ? { service: opts.keychainService } : {}) })
  const settings = createSettingsService(opts.settingsBacking, opts.settingsOverrides)
  const library = openLibrary({ dir: join(opts.dataDir, 'library'), mediaUrl: opts.mediaUrl })
  // Media URLs are `<prefix>/<id>/<variant>`; references live at `<prefix>/ref/<hash>/<variant>` (media.ts).
  const references = createReferenceStore({ library, mediaUrl: (hash, variant) => opts.mediaUrl(`ref/${hash}`, variant) })

  let client: OxenClient | null = null
  const currentClient = () => {
    const { oxenBaseUrl } = settings.get()
    if (!client || client.origin !== new URL(oxenBaseUrl).origin) {
      const retryBaseMs = opts.timing?.retryBaseMs
      client = new OxenClient({
        baseUrl: oxenBaseUrl,
        getKey: () => secrets.getKey(),
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        ...(retryBaseMs !== undefined ? { retry: { attempts: 4, baseMs: retryBaseMs, capMs: retryBaseMs * 16 } } : {}),
      })
    }
    return client
  }

  // The form is fetched once per (server, model, key change) and reused.
  let formCache: { key: string; form: Promise<ModelForm> } | null = null
  const modelForm = () => {
    const { oxenBaseUrl, modelId } = settings.get()
    const cacheKey = `${oxenBaseUrl}|${modelId}`
    if (!formCache || formCache.key !== cacheKey) {
      const form = currentClient()
        .getModel(modelId)
        .then((model) => deriveModelForm(modelId, model))
      form.catch(() => {
        if (formCache?.form === form) formCache = null // do not cache failures
      })
      formCache = { key: cacheKey, form }
    }
    return formCache.form
  }

  const engine = new JobEngine({
    client: currentClient,
    library,
    modelForm,
    resolveReferences: (hashes) => references.urlsFor(hashes, settings.get().referenceSupply, currentClient()),
    maxConcurrentDownloads: () => settings.get().maxConcurrentDownloads,
    maxConcurrentJobs: () => settings.get().maxConcurrentJobs,
    onJobUpdate: (job) => opts.emit('onJobUpdate', job),
    onLibraryChanged: (imageIds) => opts.emit('onLibraryChanged', { imageIds }),
    ...(opts.timing?.pollIntervalMs !== undefined ? { pollIntervalMs: opts.timing.pollIntervalMs } : {}),
    ...(opts.timing?.safetyPollMs !== undefined ? { safetyPollMs: opts.timing.safetyPollMs } : {}),
    ...(opts.timing?.retryBaseMs !== undefined ? { retryBaseMs: opts.timing.retryBaseMs } : {}),
  })
  const unsubscribeSecrets = secrets.onChange((status) => {
    formCache = null
    opts.emit('onSecretStatus', status)
  })

  const testKey = async (): Promise<KeyTestResult> => {
    if (!(await secrets.getKey())) return { ok: false, message: 'No key is saved yet. Paste your Oxen API key and choose Save key.' }
    try {
      await currentClient().getCurrentUser()
      return { ok: true, message: `Oxen accepted your key (${new URL(settings.get().oxenBaseUrl).host}).` }
    } catch (error) {
      return { ok: false, message: toAppError(error).message }
    }
  }

  const handlers: RequestHandlers = {
    getSecretStatus: () => secrets.status(),
    setApiKey: ({ key }) => secrets.setKey(key),
    testApiKey: testKey,
    removeApiKey: () => secrets.removeKey(),
    getSettings: async () => settings.get(),
    updateSettings: async (patch) => settings.update(patch),
    getModelForm: async () => {
      const key = await secrets.getKey()
      try {
        return await modelForm()
      } catch (error) {
        if (!key && error instanceof AppFailure && error.code === 'unauthorized') {
          throw new AppFailure('no-key', 'Add your Oxen API key in Settings to load the model’s options.')
        }
        throw error
      }
    },
    addReference: (input) => references.add(input),
    generate: async (request) => {
      if (!(await secrets.getKey())) throw new AppFailure('no-key', 'Add your Oxen API key in Settings before generating.')
      return engine.generate(request)
    },
    listJobs: async () => engine.list(),
    cancelJob: ({ jobId }) => engine.cancel(jobId),
    retryUnconfirmed: ({ jobId }) => engine.retryUnconfirmed(jobId),
    listHistory: async (query) => library.listHistory(query),
  }

  // Resuming talks to Oxen; the app is usable meanwhile (jobs appear as they are picked up).
  const resumed = engine.resume().catch((error: unknown) => opts.log.error('resume failed', { error: String(error) }))

  return {
    dispatch: createDispatcher(handlers, opts.log),
    library,
    secrets,
    settings,
    async dispose() {
      unsubscribeSecrets()
      await resumed
      await engine.dispose()
      library.close()
    },
  }
}
export type AppServices = ReturnType<typeof createAppServices>
