// The thin Electron shell: a hardened window, IPC wired through the contract, images through atelier://.
// Everything else lives in electron/services and is shared with the browser harness.
import { app, BrowserWindow, clipboard, dialog, ipcMain, nativeImage, shell, type IpcMainInvokeEvent, type WebContents } from 'electron'
import ElectronStore from 'electron-store'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { events, requestNames, requests, type EventName, type EventPayload } from '../../shared/contract'
import { createAppServices, type AppServices, type LibraryPlatform } from '../services/app'
import { createLogger } from '../services/log'
import { loadKeytar } from '../services/secrets'
import { SETTINGS_STORE_OPTIONS, type SettingsBacking } from '../services/settings'
import { APP_ORIGIN, handleScheme, registerSchemePrivileges, rendererDirFor, SCHEME } from './protocol'
import { isTrustedSender } from './sender'

registerSchemePrivileges()
// Tests run the unpackaged app against a throwaway profile.
if (!app.isPackaged && process.env.ATELIER_USER_DATA_DIR) app.setPath('userData', process.env.ATELIER_USER_DATA_DIR)
if (!app.requestSingleInstanceLock()) app.quit()

const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
const allowedOrigins = devUrl ? [APP_ORIGIN, new URL(devUrl).origin] : [APP_ORIGIN]
const trustedIds = new Set<number>()
let mainWindow: BrowserWindow | null = null
let services: AppServices | null = null

function emit<N extends EventName>(name: N, payload: EventPayload<N>): void {
  const target: WebContents | undefined = mainWindow?.webContents
  if (target && !target.isDestroyed()) target.send(events[name].channel, payload)
}

function trusted(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame
  return isTrustedSender(
    { webContentsId: event.sender.id, isMainFrame: frame !== null && frame === event.sender.mainFrame, frameUrl: frame?.url ?? '' },
    trustedIds,
    allowedOrigins,
  )
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#121214',
    title: 'Atelier',
    webPreferences: {
      preload: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: true,
    },
  })
  const id = win.webContents.id
  trustedIds.add(id)
  win.on('closed', () => trustedIds.delete(id))
  win.once('ready-to-show', () => win.show())
  // No navigation away from the app, no new windows; https links open in the browser.
  win.webContents.on('will-navigate', (event, url) => {
    if (!allowedOrigins.includes(originOf(url))) event.preventDefault()
  })
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (originOf(url).startsWith('https:')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  void win.loadURL(devUrl ?? `${APP_ORIGIN}/index.html`)
  return win
}

function originOf(url: string): string {
  try {
    const u = new URL(url)
    return u.protocol === `${SCHEME}:` ? `${u.protocol}//${u.host}` : u.origin
  } catch {
    return '' // not a URL: no origin, so never one we allow
  }
}

/** Library files out of the app. Services resolve every path from image ids inside the library; none comes from the renderer. */
const platform: LibraryPlatform = {
  startDrag(files, icon) {
    const target = mainWindow?.webContents
    if (!target || target.isDestroyed()) return
    target.startDrag({ file: files[0]!, files, icon: nativeImage.createFromBuffer(icon) })
  },
  copyImage(image) {
    clipboard.writeImage('png' in image ? nativeImage.createFromBuffer(image.png) : nativeImage.createFromPath(image.path))
  },
  reveal(file) {
    shell.showItemInFolder(file)
  },
  async exportTarget(kind, suggestedName) {
    const owner = mainWindow ?? undefined
    if (kind === 'zip') {
      const options = {
        title: 'Export images as a zip file',
        defaultPath: join(app.getPath('downloads'), suggestedName),
        filters: [{ name: 'Zip archive', extensions: ['zip'] }],
      }
      const result = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options)
      return result.canceled || !result.filePath ? null : result.filePath
    }
    const options = {
      title: 'Export images to a folder',
      message: `A new folder “${suggestedName}” is made inside the folder you choose.`,
      buttonLabel: 'Export Here',
      defaultPath: app.getPath('downloads'),
      properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[],
    }
    const result = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options)
    return result.canceled ? null : (result.filePaths[0] ?? null)
  },
}

app.whenReady().then(async () => {
  const dataDir = app.getPath('userData')
  const log = createLogger({ dataDir })
  const store = new ElectronStore<Record<string, unknown>>(SETTINGS_STORE_OPTIONS as ConstructorParameters<typeof ElectronStore<Record<string, unknown>>>[0])
  services = createAppServices({
    dataDir,
    keytar: await loadKeytar(),
    settingsBacking: store as unknown as SettingsBacking,
    mediaUrl: (imageId, variant) => `${SCHEME}://media/${imageId}/${variant}`,
    emit,
    log,
    platform,
  })
  handleScheme(rendererDirFor(app.getAppPath()), services.serveMedia)

  for (const name of requestNames) {
    ipcMain.handle(requests[name].channel, (event, input: unknown) => {
      if (!trusted(event)) {
        log.warn('ignored IPC from an untrusted sender', { channel: requests[name].channel })
        return { ok: false, error: { code: 'invalid-input', message: 'Request refused.' } }
      }
      return services!.dispatch(name, input)
    })
  }
  mainWindow = createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow()
  })
})

app.on('second-instance', () => {
  if (mainWindow?.isMinimized()) mainWindow.restore()
  mainWindow?.focus()
})
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
app.on('will-quit', () => {
  void services?.dispose()
})
