// The shell's wiring, given the few Electron objects it uses (`ElectronLike`) instead of importing them: index.ts
// passes the real ones; test/unit/shell-wiring.test.ts passes a recording stand-in and checks that every request
// channel has a handler that refuses foreign senders, every event reaches the window, and the security handlers
// refuse permissions, navigation, new windows and <webview>s. No `electron` import here (only types would be
// allowed, and none are needed), so this file runs in plain Node.
import { join } from 'node:path'
import { events, requestNames, requests, type EventName, type EventPayload, type RequestName, type Result } from '../../shared/contract'
import type { LibraryPlatform } from '../services/app'
import { externalLink, isAllowedOrigin, permissionAllowed } from './policy'
import { APP_ORIGIN, createProtocolHandler, rendererDirFor, SCHEME, SCHEME_PRIVILEGES } from './protocol'
import { isTrustedSender } from './sender'

// ---------- the part of Electron the shell uses ----------

export interface PreventableEvent {
  preventDefault(): void
}
export interface NativeImageLike {
  isEmpty(): boolean
}
export interface WebContentsLike {
  readonly id: number
  readonly mainFrame: unknown
  isDestroyed(): boolean
  send(channel: string, ...args: unknown[]): void
  startDrag(item: { file: string; files?: string[]; icon: NativeImageLike | string }): void
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown
  on(event: 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown
}
export interface WindowLike {
  readonly webContents: WebContentsLike
  loadURL(url: string): Promise<void>
  show(): void
  focus(): void
  restore(): void
  isMinimized(): boolean
  on(event: 'closed', listener: () => void): unknown
  once(event: 'ready-to-show', listener: () => void): unknown
}
export interface WindowOptions {
  width: number
  height: number
  minWidth: number
  minHeight: number
  show: boolean
  backgroundColor: string
  title: string
  icon?: string
  webPreferences: {
    preload: string
    contextIsolation: boolean
    sandbox: boolean
    nodeIntegration: boolean
    nodeIntegrationInWorker: boolean
    nodeIntegrationInSubFrames: boolean
    webSecurity: boolean
    allowRunningInsecureContent: boolean
    experimentalFeatures: boolean
    webviewTag: boolean
    navigateOnDragDrop: boolean
    disableBlinkFeatures: string
    spellcheck: boolean
  }
}
export interface DialogOwner {
  isMinimized(): boolean
}
export interface InvokeEventLike {
  readonly sender: { readonly id: number; readonly mainFrame: unknown }
  readonly senderFrame: { readonly url: string } | null
}
export type PermissionRequestHandler = (
  contents: { readonly id: number },
  permission: string,
  callback: (granted: boolean) => void,
  details: { requestingUrl?: string; isMainFrame: boolean },
) => void
export type PermissionCheckHandler = (
  contents: { readonly id: number } | null,
  permission: string,
  requestingOrigin: string,
  details: { isMainFrame: boolean },
) => boolean
export interface SessionLike {
  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void
}
export interface SaveDialogResult {
  canceled: boolean
  filePath?: string
}
export interface OpenDialogResult {
  canceled: boolean
  filePaths: string[]
}

export interface ElectronLike {
  app: {
    readonly isPackaged: boolean
    getAppPath(): string
    getPath(name: 'userData' | 'downloads'): string
    setPath(name: 'userData', path: string): void
    getVersion(): string
    requestSingleInstanceLock(): boolean
    quit(): void
    whenReady(): Promise<unknown>
    on(event: 'second-instance', listener: () => void): unknown
    on(event: 'window-all-closed', listener: () => void): unknown
    on(event: 'will-quit', listener: () => void): unknown
    on(event: 'activate', listener: () => void): unknown
    on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): unknown
  }
  BrowserWindow: {
    new (options: WindowOptions): WindowLike
    getAllWindows(): unknown[]
  }
  ipcMain: {
    handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void
  }
  protocol: {
    registerSchemesAsPrivileged(schemes: (typeof SCHEME_PRIVILEGES)[]): void
    handle(scheme: string, handler: (request: Request) => Promise<Response>): void
  }
  session: { readonly defaultSession: SessionLike }
  shell: {
    openExternal(url: string): Promise<void>
    showItemInFolder(path: string): void
  }
  clipboard: { writeImage(image: NativeImageLike): void }
  nativeImage: {
    createFromBuffer(buffer: Buffer): NativeImageLike
    createFromPath(path: string): NativeImageLike
  }
  /** Dialogs are always attached to our window (sheet on macOS, modal elsewhere). */
  dialog: {
    showSaveDialog(window: DialogOwner, options: { title: string; defaultPath: string; filters: { name: string; extensions: string[] }[] }): Promise<SaveDialogResult>
    showOpenDialog(
      window: DialogOwner,
      options: { title: string; message: string; buttonLabel: string; defaultPath: string; properties: ('openDirectory' | 'createDirectory')[] },
    ): Promise<OpenDialogResult>
  }
}

// ---------- what the shell needs from the rest of the app ----------

/** The services as the shell sees them (createAppServices in index.ts; a stand-in in tests). */
export interface ShellServices {
  dispatch(name: RequestName, input: unknown): Promise<Result<unknown>>
  serveMedia(path: string): Promise<Response>
  dispose(): Promise<void>
  log: { warn(message: string, fields?: Record<string, unknown>): void }
}

export interface ServicesContext {
  dataDir: string
  emit: <N extends EventName>(name: N, payload: EventPayload<N>) => void
  platform: LibraryPlatform
  mediaUrl: (imageId: string, variant: 'thumb' | 'full') => string
}

export interface ShellOptions {
  /** `process.platform`. */
  platform: NodeJS.Platform
  /** The built renderer from electron-vite's dev server (unpackaged only). */
  devUrl?: string
  /** A throwaway profile for tests (unpackaged only). */
  userDataDir?: string
  startServices(context: ServicesContext): Promise<ShellServices>
}

/** Where the shell finds its files, under the app's path (the app.asar when packaged). packaging.test.ts checks each is packed. */
export function shellPaths(appPath: string) {
  return {
    preload: join(appPath, 'out/preload/index.cjs'),
    rendererDir: rendererDirFor(appPath),
    /** The window's icon on Linux (macOS and Windows take the bundle's / executable's own). */
    icon: join(appPath, 'resources/icon.png'),
  }
}

export const REFUSED: Result<never> = { ok: false, error: { code: 'invalid-input', message: 'Request refused.' } }

export interface Shell {
  /** Settles when the app is ready and the window is created (or the start failed). */
  ready: Promise<void>
  mainWindow(): WindowLike | null
}

/** Wires the shell: call once, at module load (scheme privileges and the single-instance lock must precede `ready`). */
export function wireShell(electron: ElectronLike, options: ShellOptions): Shell {
  const { app, BrowserWindow, ipcMain, protocol, shell, clipboard, nativeImage, dialog } = electron
  protocol.registerSchemesAsPrivileged([SCHEME_PRIVILEGES])
  const devUrl = app.isPackaged ? undefined : options.devUrl
  if (!app.isPackaged && options.userDataDir) app.setPath('userData', options.userDataDir)
  const allowedOrigins = devUrl ? [APP_ORIGIN, new URL(devUrl).origin] : [APP_ORIGIN]
  const trustedIds = new Set<number>()
  let mainWindow: WindowLike | null = null
  let services: ShellServices | null = null

  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return { ready: Promise.resolve(), mainWindow: () => null }
  }

  // Every web contents, present and future: no navigation away from the app, no new windows (Oxen links open in the
  // browser), no <webview>.
  app.on('web-contents-created', (_event, contents) => {
    const refuseNavigation = (event: PreventableEvent, url: string) => {
      if (isAllowedOrigin(url, allowedOrigins)) return
      event.preventDefault()
      const external = externalLink(url)
      if (external) void shell.openExternal(external)
    }
    contents.on('will-navigate', refuseNavigation)
    contents.on('will-redirect', refuseNavigation)
    contents.on('will-attach-webview', (event) => event.preventDefault())
    contents.setWindowOpenHandler(({ url }) => {
      const external = externalLink(url)
      if (external) void shell.openExternal(external)
      return { action: 'deny' }
    })
  })

  const emit = <N extends EventName>(name: N, payload: EventPayload<N>) => {
    const target = mainWindow?.webContents
    if (target && !target.isDestroyed()) target.send(events[name].channel, payload)
  }

  const trusted = (event: InvokeEventLike) => {
    const frame = event.senderFrame
    return isTrustedSender(
      { webContentsId: event.sender.id, isMainFrame: frame !== null && frame === event.sender.mainFrame, frameUrl: frame?.url ?? '' },
      trustedIds,
      allowedOrigins,
    )
  }

  /** Library files out of the app. Services resolve every path from image ids inside the library; none comes from the renderer. */
  const platform: LibraryPlatform = {
    startDrag(files, icon) {
      const target = mainWindow?.webContents
      if (!target || target.isDestroyed() || files.length === 0) return
      target.startDrag({ file: files[0]!, files, icon: nativeImage.createFromBuffer(icon) })
    },
    copyImage(image) {
      clipboard.writeImage('png' in image ? nativeImage.createFromBuffer(image.png) : nativeImage.createFromPath(image.path))
    },
    reveal(file) {
      shell.showItemInFolder(file)
    },
    async exportTarget(kind, suggestedName) {
      const owner = mainWindow
      if (!owner) return null
      const downloads = app.getPath('downloads')
      if (kind === 'zip') {
        const result = await dialog.showSaveDialog(owner, {
          title: 'Export images as a zip file',
          defaultPath: join(downloads, suggestedName),
          filters: [{ name: 'Zip archive', extensions: ['zip'] }],
        })
        return result.canceled || !result.filePath ? null : result.filePath
      }
      const result = await dialog.showOpenDialog(owner, {
        title: 'Export images to a folder',
        message: `A new folder “${suggestedName}” is made inside the folder you choose.`,
        buttonLabel: 'Export Here',
        defaultPath: downloads,
        properties: ['openDirectory', 'createDirectory'],
      })
      return result.canceled ? null : (result.filePaths[0] ?? null)
    },
  }

  const paths = shellPaths(app.getAppPath())

  function createWindow(): WindowLike {
    const win = new BrowserWindow({
      width: 1440,
      height: 900,
      minWidth: 960,
      minHeight: 600,
      show: false,
      backgroundColor: '#121214',
      title: 'Atelier',
      ...(options.platform === 'linux' ? { icon: paths.icon } : {}),
      webPreferences: {
        preload: paths.preload,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        // Dropping a file on the window must not navigate to it (drops are handled by the page).
        navigateOnDragDrop: false,
        // Middle-click (auxclick) cannot open links in new windows.
        disableBlinkFeatures: 'Auxclick',
        spellcheck: true,
      },
    })
    const id = win.webContents.id
    trustedIds.add(id)
    win.on('closed', () => {
      trustedIds.delete(id)
      if (mainWindow === win) mainWindow = null
    })
    win.once('ready-to-show', () => win.show())
    void win.loadURL(devUrl ?? `${APP_ORIGIN}/index.html`)
    return win
  }

  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore()
    mainWindow?.focus()
  })
  app.on('window-all-closed', () => {
    if (options.platform !== 'darwin') app.quit()
  })
  app.on('will-quit', () => {
    void services?.dispose()
  })

  const ready = app.whenReady().then(async () => {
    // Electron grants every permission by default: refuse all but ALLOWED_PERMISSIONS for our own page.
    const session = electron.session.defaultSession
    session.setPermissionRequestHandler((contents, permission, callback, details) => {
      callback(trustedIds.has(contents.id) && permissionAllowed(permission, details.requestingUrl ?? '', details.isMainFrame, allowedOrigins))
    })
    session.setPermissionCheckHandler(
      (contents, permission, requestingOrigin, details) =>
        contents !== null && trustedIds.has(contents.id) && permissionAllowed(permission, requestingOrigin, details.isMainFrame, allowedOrigins),
    )

    const started = await options.startServices({
      dataDir: app.getPath('userData'),
      emit,
      platform,
      mediaUrl: (imageId, variant) => `${SCHEME}://media/${imageId}/${variant}`,
    })
    services = started
    protocol.handle(SCHEME, createProtocolHandler(paths.rendererDir, started.serveMedia))

    for (const name of requestNames) {
      const { channel } = requests[name]
      ipcMain.handle(channel, (event, input) => {
        if (!trusted(event)) {
          started.log.warn('ignored IPC from an untrusted sender', { channel })
          return REFUSED
        }
        return started.dispatch(name, input)
      })
    }
    mainWindow = createWindow()
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow()
    })
  })
  return { ready, mainWindow: () => mainWindow }
}
