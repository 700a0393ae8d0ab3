// Builds every main-process service from its dependencies. The Electron shell and the browser harness
// both call this, so they run the same code and differ only in transport and platform adapters.
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import type { EventName, EventPayload } from '../../shared/contract'
import type { KeyTestResult, Settings } from '../../shared/domain'
import { createDiagnostics, type DiagnosticsVersions } from './diagnostics'
import { createDispatcher, type RequestHandlers } from './dispatch'
import { createDraftStore, DRAFT_FILE } from './draft'
import { AppFailure, toAppError } from './errors'
import type { Checkpoint } from './checkpoint'
import { JobEngine } from './jobs/engine'
import { openJournal } from './jobs/journal'
import { openLibrary, type Library, type MediaVariant } from './library/library'
import { serveMedia } from './library/media'
import { exportToFolder, exportToZip, linkForDrag } from './library/export'
import { linkReferenceSource } from './library/edits'
import { createLibraryQueries } from './library/query'
import { libraryReader } from './library/reader'
import { indexLooksLost, rebuildLibrary } from './library/rebuild'
import { createCatalogue } from './oxen/catalogue'
import { OxenClient, type FetchLike } from './oxen/client'
import { creditBalance } from './oxen/repos'
import { createReferenceStore } from './library/references'
import { logFilePath, type Logger } from './log'
import { createSecretStore, type KeytarLike } from './secrets'
import { createSettingsService, type SettingsBacking } from './settings'
import { createSyncService } from './sync/service'

/** What only the desktop shell can do with library files. Paths are always resolved by main from image ids. */
export interface LibraryPlatform {
  /** Starts an OS drag of these files; `icon` is a small PNG (macOS needs one). */
  startDrag(files: string[], icon: Buffer): void
  /** A PNG or JPEG file by path, or PNG bytes (WebP, which the clipboard cannot take as a file). */
  copyImage(image: { path: string } | { png: Buffer }): void
  reveal(file: string): void
  /** Asks where to export: a parent folder ('folder') or the zip file's path ('zip'); null when cancelled. */
  exportTarget(kind: 'folder' | 'zip', suggestedName: string): Promise<string | null>
}

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
  /** Absent in the browser harness: drag/copy/reveal then say so, and exports go under `<dataDir>/exports/`. */
  platform?: LibraryPlatform
  /** The crash tests' stop points (the harness's --crash-at); absent in the app. */
  checkpoint?: Checkpoint
  /** For diagnostics: the app's version as built, and Electron's and Chromium's when the shell is Electron. */
  versions?: DiagnosticsVersions
}

const DRAG_ICON_SIDE = 64
const DESKTOP_ONLY = 'works in the Atelier desktop app, not in the browser preview.'

/** `atelier-export-20261124-140533`: sorts by time, safe in every file system. */
function exportName(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `atelier-export-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`
}

export function createAppServices(opts: AppServicesOptions) {
  const secrets = createSecretStore({ keytar: opts.keytar, log: opts.log.child('secrets'), ...(opts.keychainService ? { service: opts.keychainService } : {}) })
  const settings = createSettingsService(opts.settingsBacking, opts.settingsOverrides, opts.log.child('settings'))
  const journal = openJournal(join(opts.dataDir, 'journal.db'))
  const library = openLibrary({
    dir: join(opts.dataDir, 'library'),
    mediaUrl: opts.mediaUrl,
    log: opts.log.child('library'),
    ...(opts.checkpoint ? { checkpoint: opts.checkpoint } : {}),
  })
  // Media URLs are `<prefix>/<id>/<variant>`; references live at `<prefix>/ref/<hash>/<variant>` (media.ts).
  const referenceMediaUrl = (hash: string, variant: MediaVariant) => opts.mediaUrl(`ref/${hash}`, variant)
  const references = createReferenceStore({ library, mediaUrl: referenceMediaUrl })
  const draft = createDraftStore({
    file: join(opts.dataDir, DRAFT_FILE),
    reference: (hash) => (references.resolveFile(hash, 'full') ? references.get(hash) : null),
    log: opts.log.child('draft'),
  })
  const reader = libraryReader(library)
  const queries = createLibraryQueries({ library, reader, mediaUrl: opts.mediaUrl, referenceMediaUrl, log: opts.log.child('library') })
  const closing = new AbortController()
  let rebuilding: Promise<number> | null = null
  const rebuild = () => {
    rebuilding ??= rebuildLibrary(library, {
      signal: closing.signal,
      onIndexed: (imageIds) => opts.emit('onLibraryChanged', { imageIds }),
      log: opts.log.child('rebuild'),
    })
      .then((result) => {
        result.thumbnails.catch((error: unknown) => opts.log.warn('thumbnails after rebuild failed', { error }))
        if (result.skipped > 0) opts.log.warn('rebuild skipped image files without a readable recipe', { skipped: result.skipped })
        return result.count
      })
      .finally(() => (rebuilding = null))
    return rebuilding
  }

  /** `base` + ext, or `base-2` + ext, `-3`…: the first that does not exist yet. */
  const unused = (base: string, ext: string) => {
    let path = base + ext
    for (let n = 2; existsSync(path); n++) path = `${base}-${n}${ext}`
    return path
  }

  async function exportImages(imageIds: string[], as: 'folder' | 'zip') {
    const items = await queries.files(imageIds)
    if (items.length === 0) throw new AppFailure('not-found', 'None of the selected images is in your library any more, so nothing was exported.')
    const name = exportName()
    let target: string | null
    if (opts.platform) {
      const chosen = await opts.platform.exportTarget(as, as === 'zip' ? `${name}.zip` : name)
      if (chosen === null) return { location: '', count: 0 } // cancelled
      target = as === 'zip' ? chosen : unused(join(chosen, name), '') // the dialog already asked before replacing a zip
    } else {
      const dir = join(opts.dataDir, 'exports')
      await mkdir(dir, { recursive: true })
      target = unused(join(dir, name), as === 'zip' ? '.zip' : '')
    }
    return as === 'zip' ? exportToZip(items, target) : exportToFolder(items, target)
  }

  /** The platform, or a plain refusal in the browser preview. */
  const platform = (what: string) => {
    if (!opts.platform) throw new AppFailure('invalid-input', `${what} ${DESKTOP_ONLY}`)
    return opts.platform
  }
  const oneFile = async (imageId: string) => {
    const [item] = await queries.files([imageId])
    if (!item) throw new AppFailure('not-found', 'That image’s file is no longer in your library folder.')
    return item
  }

  let client: OxenClient | null = null
  const currentClient = () => {
    const { oxenBaseUrl } = settings.get()
    if (!client || client.origin !== new URL(oxenBaseUrl).origin) {
      const retryBaseMs = opts.timing?.retryBaseMs
      client = new OxenClient({
        baseUrl: oxenBaseUrl,
        getKey: () => secrets.getKey(),
        log: opts.log.child('oxen'),
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        ...(retryBaseMs !== undefined ? { retry: { attempts: 4, baseMs: retryBaseMs, capMs: retryBaseMs * 16 } } : {}),
      })
    }
    return client
  }

  const catalogue = createCatalogue({ client: currentClient, file: join(opts.dataDir, 'catalogue.json'), log: opts.log.child('catalogue') })

  const engine = new JobEngine({
    client: currentClient,
    journal,
    library,
    modelForm: (modelId) => catalogue.form(modelId),
    resolveReferences: (hashes) => references.urlsFor(hashes, settings.get().referenceSupply, currentClient()),
    referenceDataUris: async (hashes) => (await references.urlsFor(hashes, 'data-uri', currentClient())).urls,
    log: opts.log.child('jobs'),
    ...(opts.checkpoint ? { checkpoint: opts.checkpoint } : {}),
    maxConcurrentDownloads: () => settings.get().maxConcurrentDownloads,
    maxConcurrentJobs: () => settings.get().maxConcurrentJobs,
    onJobUpdate: (job) => opts.emit('onJobUpdate', opts.log.redact(job)), // a failed image's error is Oxen's text
    onLibraryChanged: (imageIds) => opts.emit('onLibraryChanged', { imageIds }),
    ...(opts.timing?.pollIntervalMs !== undefined ? { pollIntervalMs: opts.timing.pollIntervalMs } : {}),
    ...(opts.timing?.safetyPollMs !== undefined ? { safetyPollMs: opts.timing.safetyPollMs } : {}),
    ...(opts.timing?.retryBaseMs !== undefined ? { retryBaseMs: opts.timing.retryBaseMs } : {}),
  })
  const sync = createSyncService({
    client: currentClient,
    library,
    queries,
    dataDir: opts.dataDir,
    log: opts.log.child('sync'),
    onTask: (task) => opts.emit('onSyncTask', opts.log.redact(task)), // a failure's message may quote Oxen
    onLibraryChanged: (imageIds) => opts.emit('onLibraryChanged', { imageIds }),
    ...(opts.checkpoint ? { checkpoint: opts.checkpoint } : {}),
  })
  const diagnostics = createDiagnostics({
    versions: opts.versions ?? { app: 'unknown' },
    logFile: logFilePath(opts.dataDir),
    settings: () => settings.get(),
    keyState: () => secrets.status(), // never the key itself
    library: async () => {
      const { counts, boards } = await queries.facets()
      return { images: counts.all, trash: counts.trash, boards: boards.length }
    },
    jobs: () => {
      const jobs = engine.list()
      return { total: jobs.length, running: jobs.filter((j) => j.status === 'running').length }
    },
    catalogue: () => catalogue.list(),
    scrub: (text) => opts.log.scrub(text),
    desktop: opts.platform !== undefined,
  })

  const unsubscribeSecrets = secrets.onChange((status) => {
    opts.emit('onSecretStatus', status)
    if (status.state !== 'absent') void catalogue.refresh() // a new key may see other (custom) models
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
    listModels: () => catalogue.list(),
    refreshModels: () => catalogue.refresh(),
    getCreditBalance: async () => ({ usd: await creditBalance(currentClient()) }),
    getModelForm: async ({ modelId }) => {
      const key = await secrets.getKey()
      try {
        return await catalogue.form(modelId)
      } catch (error) {
        if (!key && error instanceof AppFailure && error.code === 'unauthorized') {
          throw new AppFailure('no-key', 'Add your Oxen API key in Settings to load the model’s options.')
        }
        throw error
      }
    },
    addReference: async (input) => {
      const added = await references.add(input)
      // For "used in" on the source image's detail; a failure here must not fail the add.
      await linkReferenceSource(library, added.hash, input.kind === 'library' ? input.imageId : undefined).catch((error: unknown) =>
        opts.log.warn('could not link a reference to its library image', { error }),
      )
      return added
    },
    getDraft: () => draft.load(),
    saveDraft: (composerDraft) => draft.save(composerDraft),
    getPromptHistory: async ({ text, limit }) => ({ prompts: journal.recentPrompts(text, limit) }),
    generate: async (request) => {
      if (!(await secrets.getKey())) throw new AppFailure('no-key', 'Add your Oxen API key in Settings before generating.')
      return engine.generate(request)
    },
    listJobs: async () => engine.list(),
    cancelJob: ({ jobId }) => engine.cancel(jobId),
    retryUnconfirmed: ({ jobId }) => engine.retryUnconfirmed(jobId),
    retryFailed: ({ jobId }) => engine.retryFailed(jobId),
    duplicateJob: async ({ jobId }) => {
      if (!(await secrets.getKey())) throw new AppFailure('no-key', 'Add your Oxen API key in Settings before generating.')
      return engine.duplicate(jobId)
    },
    hideJobs: async ({ jobIds }) => ({ jobIds: engine.hide(jobIds) }),
    clearFinishedJobs: async () => ({ jobIds: engine.clearFinished() }),
    getReferences: async ({ hashes }) => hashes.flatMap((hash) => references.get(hash) ?? []),

    searchLibrary: (query) => queries.search(query),
    getLibraryFacets: () => queries.facets(),
    getImageDetail: ({ imageId }) => queries.detail(imageId),
    setStarred: async ({ imageIds, starred }) => ({ count: await queries.setStarred(imageIds, starred) }),
    setRating: async ({ imageIds, rating }) => ({ count: await queries.setRating(imageIds, rating) }),
    setPick: async ({ imageIds, pick }) => ({ count: await queries.setPick(imageIds, pick) }),
    trashUnpicked: async ({ jobId }) => ({ imageIds: await queries.trashUnpicked(jobId) }),
    trashImages: async ({ imageIds }) => ({ count: await queries.trash(imageIds) }),
    restoreImages: async ({ imageIds }) => ({ count: await queries.restore(imageIds) }),
    emptyTrash: async () => ({ count: await queries.emptyTrash() }),
    createBoard: ({ name }) => queries.createBoard(name),
    renameBoard: ({ boardId, name }) => queries.renameBoard(boardId, name),
    deleteBoard: async ({ boardId }) => ({ count: await queries.deleteBoard(boardId) }),
    addToBoard: async ({ boardId, imageIds }) => ({ count: await queries.addToBoard(boardId, imageIds) }),
    removeFromBoard: async ({ boardId, imageIds }) => ({ count: await queries.removeFromBoard(boardId, imageIds) }),
    rebuildLibrary: async () => ({ count: await rebuild() }),
    exportImages: ({ imageIds, as }) => exportImages(imageIds, as),
    startDrag: async ({ imageIds }) => {
      const target = platform('Dragging images out of the window')
      const items = await queries.files(imageIds)
      if (items.length === 0) throw new AppFailure('not-found', 'The selected images’ files are no longer in your library folder.')
      const first = items[0]!
      const icon = await sharp(first.thumbPath ?? first.path)
        .resize(DRAG_ICON_SIDE, DRAG_ICON_SIDE, { fit: 'inside' })
        .png()
        .toBuffer()
      // The OS gets links named as exports name files, in a fresh folder of the library's temp area (swept at the next start).
      target.startDrag(await linkForDrag(items, library.tempFilePath('drag')), icon)
      return { count: items.length }
    },
    copyImage: async ({ imageId }) => {
      const target = platform('Copying an image to the clipboard')
      const { path, image } = await oneFile(imageId)
      target.copyImage(image.format === 'webp' ? { png: await sharp(path).png().toBuffer() } : { path })
      return { count: 1 }
    },
    revealImage: async ({ imageId }) => {
      const target = platform('Showing an image in its folder')
      target.reveal((await oneFile(imageId)).path)
      return { count: 1 }
    },
    getOxenAccount: () => sync.account(),
    pushToRepo: (request) => sync.push(request),
    pullFromRepo: (request) => sync.pull(request),
    importHistory: () => sync.importHistory(),
    cancelSync: ({ taskId }) => sync.cancel(taskId),
    listSyncTasks: () => sync.list(),
    getLogTail: async ({ lines }) => ({ lines: await diagnostics.logTail(lines), location: logFilePath(opts.dataDir) }),
    getDiagnostics: async () => ({ text: await diagnostics.report() }),
    revealLogs: async () => {
      const target = platform('Showing the log file in its folder')
      const file = logFilePath(opts.dataDir)
      if (!existsSync(file)) throw new AppFailure('not-found', 'There is no log file yet: Atelier has not written anything to it.')
      target.reveal(file)
      return { count: 1 }
    },
  }

  // Resuming talks to Oxen; the app is usable meanwhile (jobs appear as they are picked up). An index that was
  // deleted is rebuilt from the files first, so resuming finds the images already saved.
  void catalogue.refresh() // the saved list answers meanwhile, and when Oxen cannot be reached
  const resumed = indexLooksLost(library)
    .then((lost) => (lost ? rebuild().then(() => undefined) : undefined))
    .catch((error: unknown) => opts.log.error('rebuilding the library index failed', { error }))
    .then(() => engine.resume())
    .then(() => sync.resumeInterrupted())
    .catch((error: unknown) => opts.log.error('resume failed', { error }))

  return {
    dispatch: createDispatcher(handlers, opts.log),
    /** atelier://media/… (Electron) and /media/… (harness): library images and references by id. */
    serveMedia: (path: string) => serveMedia(library, path),
    library: library as Library,
    queries,
    secrets,
    settings,
    async dispose() {
      unsubscribeSecrets()
      closing.abort()
      await resumed
      await sync.stop()
      await rebuilding?.catch(() => undefined) // its failure was reported to whoever started it
      await engine.dispose()
      await draft.flush().catch(() => undefined) // a failed save was answered to the renderer already
      journal.close()
      await reader.close()
      library.close()
    },
  }
}
export type AppServices = ReturnType<typeof createAppServices>
