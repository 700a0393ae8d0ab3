// The thin Electron shell: hands the real Electron objects to wire.ts (window, IPC, protocol, security handlers)
// and starts the services. Everything else lives in electron/services and is shared with the browser harness.
import { app, BrowserWindow, clipboard, dialog, ipcMain, nativeImage, protocol, session, shell } from 'electron'
import ElectronStore from 'electron-store'
import { createAppServices } from '../services/app'
import { createLogger } from '../services/log'
import { loadKeytar } from '../services/secrets'
import { SETTINGS_STORE_OPTIONS, type SettingsBacking } from '../services/settings'
import { wireShell, type ElectronLike } from './wire'

const electron: ElectronLike = { app, BrowserWindow, ipcMain, protocol, session, shell, clipboard, nativeImage, dialog }

wireShell(electron, {
  platform: process.platform,
  devUrl: process.env.ELECTRON_RENDERER_URL,
  // Tests run the unpackaged app against a throwaway profile.
  userDataDir: process.env.ATELIER_USER_DATA_DIR,
  async startServices({ dataDir, emit, platform, mediaUrl }) {
    const log = createLogger({ dataDir })
    const store = new ElectronStore<Record<string, unknown>>(SETTINGS_STORE_OPTIONS as ConstructorParameters<typeof ElectronStore<Record<string, unknown>>>[0])
    const services = createAppServices({
      dataDir,
      keytar: await loadKeytar(),
      settingsBacking: store as unknown as SettingsBacking,
      mediaUrl,
      emit,
      log,
      platform,
      versions: { app: app.getVersion(), electron: process.versions.electron, chrome: process.versions.chrome },
    })
    return { dispatch: services.dispatch, serveMedia: services.serveMedia, dispose: () => services.dispose(), log }
  },
})
