// The Electron shell's wiring (electron/main/wire.ts) against a recording stand-in of the part of Electron it uses:
// the binary cannot run here, so this is where the IPC, the events, the protocol, the platform adapters and the
// security handlers (permissions, navigation, window.open, <webview>) are checked. The real-binary smoke test is
// test/e2e/electron.spec.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventNames, events, requestNames, requests, type EventName, type RequestName, type Result } from '../../shared/contract'
import {
  REFUSED,
  wireShell,
  type DialogOwner,
  type ElectronLike,
  type InvokeEventLike,
  type NativeImageLike,
  type PermissionCheckHandler,
  type PermissionRequestHandler,
  type PreventableEvent,
  type ServicesContext,
  type SessionLike,
  type ShellOptions,
  type WebContentsLike,
  type WindowLike,
  type WindowOptions,
} from '../../electron/main/wire'

let appPath: string
beforeAll(() => {
  appPath = mkdtempSync(join(tmpdir(), 'atelier-shell-'))
  mkdirSync(join(appPath, 'out/renderer'), { recursive: true })
  writeFileSync(
    join(appPath, 'out/renderer/index.html'),
    `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'self'" /><title>Atelier</title>`,
  )
})
afterAll(() => rmSync(appPath, { recursive: true, force: true }))

// ---------- the stand-in ----------

class FakeImage implements NativeImageLike {
  constructor(readonly from: string | Buffer) {}
  isEmpty() {
    return false
  }
}

class FakeEvent implements PreventableEvent {
  prevented = false
  preventDefault() {
    this.prevented = true
  }
}

interface Frame {
  url: string
}

function standIn(opts: { isPackaged?: boolean; gotLock?: boolean } = {}) {
  /** What happened, in order: the shell's calls into Electron. */
  const calls: string[] = []
  const appListeners = new Map<string, ((...args: unknown[]) => void)[]>()
  const ipc = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>()
  const protocols = new Map<string, (request: Request) => Promise<Response>>()
  const privileged: unknown[] = []
  const opened: string[] = []
  const revealed: string[] = []
  const clipboardImages: NativeImageLike[] = []
  const dialogs: { kind: string; owner: DialogOwner; options: unknown }[] = []
  const dialogAnswers: { save: { canceled: boolean; filePath?: string }; open: { canceled: boolean; filePaths: string[] } } = {
    save: { canceled: false, filePath: '/home/me/Downloads/x.zip' },
    open: { canceled: false, filePaths: ['/home/me/Pictures'] },
  }
  const paths: Record<string, string> = { userData: '/profile', downloads: '/home/me/Downloads' }
  let ready = false
  let fireReady: () => void = () => {}
  const readyPromise = new Promise<void>((resolve) => {
    fireReady = () => {
      ready = true
      resolve()
    }
  })
  let nextId = 1
  let quits = 0
  const session: SessionLike & { request: PermissionRequestHandler | null; check: PermissionCheckHandler | null } = {
    request: null,
    check: null,
    setPermissionRequestHandler(handler) {
      calls.push('setPermissionRequestHandler')
      this.request = handler
    },
    setPermissionCheckHandler(handler) {
      calls.push('setPermissionCheckHandler')
      this.check = handler
    },
  }

  const emitApp = (event: string, ...args: unknown[]) => {
    for (const listener of appListeners.get(event) ?? []) listener(...args)
  }

  class FakeWebContents implements WebContentsLike {
    readonly id = nextId++
    readonly mainFrame: Frame = { url: '' }
    destroyed = false
    sent: [string, unknown][] = []
    drags: { file: string; files?: string[]; icon: NativeImageLike | string }[] = []
    listeners = new Map<string, ((...args: unknown[]) => void)[]>()
    openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null
    isDestroyed() {
      return this.destroyed
    }
    send(channel: string, ...args: unknown[]) {
      this.sent.push([channel, args[0]])
    }
    startDrag(item: { file: string; files?: string[]; icon: NativeImageLike | string }) {
      this.drags.push(item)
    }
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }) {
      this.openHandler = handler
    }
    on(event: string, listener: (...args: never[]) => void) {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as (...args: unknown[]) => void])
      return this
    }
    /** Fires an event as Electron would; returns whether a listener prevented it. */
    fire(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', url = ''): boolean {
      const e = new FakeEvent()
      for (const listener of this.listeners.get(event) ?? []) listener(e, url)
      return e.prevented
    }
  }

  class FakeWindow implements WindowLike {
    static all: FakeWindow[] = []
    readonly webContents = new FakeWebContents()
    loaded: string[] = []
    shown = false
    focused = 0
    restored = 0
    minimized = false
    closedListeners: (() => void)[] = []
    constructor(readonly options: WindowOptions) {
      if (!ready) throw new Error('BrowserWindow before ready')
      calls.push('new BrowserWindow')
      FakeWindow.all.push(this)
      emitApp('web-contents-created', {}, this.webContents)
    }
    static getAllWindows() {
      return FakeWindow.all
    }
    async loadURL(url: string) {
      this.loaded.push(url)
      this.webContents.mainFrame.url = url
    }
    show() {
      this.shown = true
    }
    focus() {
      this.focused++
    }
    restore() {
      this.restored++
    }
    isMinimized() {
      return this.minimized
    }
    on(_event: 'closed', listener: () => void) {
      this.closedListeners.push(listener)
      return this
    }
    once(_event: 'ready-to-show', listener: () => void) {
      queueMicrotask(listener)
      return this
    }
    close() {
      this.webContents.destroyed = true
      FakeWindow.all = FakeWindow.all.filter((w) => w !== this)
      for (const listener of this.closedListeners) listener()
    }
  }

  const electron: ElectronLike = {
    app: {
      isPackaged: opts.isPackaged ?? false,
      getAppPath: () => appPath,
      getPath: (name) => paths[name]!,
      setPath: (name, path) => {
        calls.push(`setPath ${name}`)
        paths[name] = path
      },
      getVersion: () => '0.1.0',
      requestSingleInstanceLock: () => {
        calls.push('requestSingleInstanceLock')
        return opts.gotLock ?? true
      },
      quit: () => {
        quits++
      },
      whenReady: () => readyPromise,
      on(event: string, listener: (...args: never[]) => void) {
        appListeners.set(event, [...(appListeners.get(event) ?? []), listener as (...args: unknown[]) => void])
        return this
      },
    },
    BrowserWindow: FakeWindow,
    ipcMain: {
      handle(channel, listener) {
        if (ipc.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`) // as Electron does
        calls.push(`ipc ${channel}`)
        ipc.set(channel, listener)
      },
    },
    protocol: {
      registerSchemesAsPrivileged(schemes) {
        if (ready) throw new Error('registerSchemesAsPrivileged after ready')
        calls.push('registerSchemesAsPrivileged')
        privileged.push(...schemes)
      },
      handle(scheme, handler) {
        calls.push(`protocol ${scheme}`)
        protocols.set(scheme, handler)
      },
    },
    session: { defaultSession: session },
    shell: {
      async openExternal(url) {
        opened.push(url)
      },
      showItemInFolder(path) {
        revealed.push(path)
      },
    },
    clipboard: {
      writeImage(image) {
        clipboardImages.push(image)
      },
    },
    nativeImage: {
      createFromBuffer: (buffer) => new FakeImage(buffer),
      createFromPath: (path) => new FakeImage(path),
    },
    dialog: {
      async showSaveDialog(owner, options) {
        dialogs.push({ kind: 'save', owner, options })
        return dialogAnswers.save
      },
      async showOpenDialog(owner, options) {
        dialogs.push({ kind: 'open', owner, options })
        return dialogAnswers.open
      },
    },
  }
  return {
    electron,
    calls,
    ipc,
    protocols,
    privileged,
    opened,
    revealed,
    clipboardImages,
    dialogs,
    dialogAnswers,
    paths,
    session,
    windows: () => FakeWindow.all,
    FakeWebContents,
    fireReady,
    emitApp,
    quits: () => quits,
  }
}

/** The services as the shell sees them, recording what reaches them. */
function fakeServices() {
  const dispatched: [RequestName, unknown][] = []
  const warnings: string[] = []
  let disposed = 0
  let context: ServicesContext | null = null
  const start: ShellOptions['startServices'] = async (ctx) => {
    context = ctx
    return {
      async dispatch(name, input): Promise<Result<unknown>> {
        dispatched.push([name, input])
        return { ok: true, value: { echoed: name } }
      },
      async serveMedia(path) {
        return new Response(`media ${path}`)
      },
      async dispose() {
        disposed++
      },
      log: { warn: (message) => void warnings.push(message) },
    }
  }
  return { start, dispatched, warnings, disposed: () => disposed, context: () => context! }
}

async function started(options: { isPackaged?: boolean; platform?: NodeJS.Platform; devUrl?: string; userDataDir?: string } = {}) {
  const fake = standIn({ isPackaged: options.isPackaged ?? false })
  const services = fakeServices()
  const shell = wireShell(fake.electron, {
    platform: options.platform ?? 'linux',
    devUrl: options.devUrl,
    userDataDir: options.userDataDir,
    startServices: services.start,
  })
  fake.fireReady()
  await shell.ready
  const win = fake.windows()[0]!
  return { fake, services, shell, win }
}

/** An invoke event from a frame of `contents` showing `url` (the main frame unless `frame` is given). */
function invokeEvent(contents: { id: number; mainFrame: unknown }, frame: Frame | null): InvokeEventLike {
  return { sender: contents, senderFrame: frame }
}

// ---------- tests ----------

describe('shell wiring: start-up', () => {
  it('registers the atelier scheme as privileged and takes the single-instance lock before ready; wires nothing else until then', () => {
    const fake = standIn()
    const services = fakeServices()
    wireShell(fake.electron, { platform: 'linux', startServices: services.start })
    expect(fake.privileged).toEqual([{ scheme: 'atelier', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }])
    expect(fake.calls).toEqual(['registerSchemesAsPrivileged', 'requestSingleInstanceLock'])
    expect(fake.ipc.size).toBe(0)
  })

  it('sets the permission handlers, the protocol and every IPC handler before the window exists', async () => {
    const { fake } = await started()
    const windowAt = fake.calls.indexOf('new BrowserWindow')
    expect(windowAt).toBeGreaterThan(0)
    for (const call of ['setPermissionRequestHandler', 'setPermissionCheckHandler', 'protocol atelier', ...requestNames.map((n) => `ipc ${requests[n].channel}`)]) {
      const at = fake.calls.indexOf(call)
      expect(at, call).toBeGreaterThanOrEqual(0)
      expect(at, call).toBeLessThan(windowAt)
    }
  })

  it('a second instance quits at once and wires nothing', () => {
    const fake = standIn({ gotLock: false })
    wireShell(fake.electron, { platform: 'linux', startServices: fakeServices().start })
    expect(fake.quits()).toBe(1)
    expect(fake.calls).toEqual(['registerSchemesAsPrivileged', 'requestSingleInstanceLock'])
  })

  it('opens one hardened window on atelier://app, with the preload from the app path', async () => {
    const { win } = await started()
    expect(win.loaded).toEqual(['atelier://app/index.html'])
    const prefs = (win as unknown as { options: WindowOptions }).options.webPreferences
    expect(prefs).toMatchObject({
      preload: join(appPath, 'out/preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      disableBlinkFeatures: 'Auxclick',
    })
    expect((win as unknown as { options: WindowOptions }).options.icon).toBe(join(appPath, 'resources/icon.png'))
  })

  it('a packaged app ignores the dev-server URL and the test profile; an unpackaged one takes both', async () => {
    const packaged = await started({ isPackaged: true, devUrl: 'http://localhost:5173', userDataDir: '/tmp/p' })
    expect(packaged.win.loaded).toEqual(['atelier://app/index.html'])
    expect(packaged.fake.paths.userData).toBe('/profile')
    const dev = await started({ devUrl: 'http://localhost:5173', userDataDir: '/tmp/p' })
    expect(dev.win.loaded).toEqual(['http://localhost:5173'])
    expect(dev.fake.paths.userData).toBe('/tmp/p')
    expect(dev.services.context().dataDir).toBe('/tmp/p')
  })
})

describe('shell wiring: IPC', () => {
  it('every request channel of the contract has exactly one handler, and nothing else is handled', async () => {
    const { fake } = await started()
    expect([...fake.ipc.keys()].sort()).toEqual(requestNames.map((n) => requests[n].channel).sort())
  })

  it("a request from our window's main frame on atelier://app reaches dispatch with its input, and its answer comes back", async () => {
    const { fake, services, win } = await started()
    for (const name of requestNames) {
      const answer = await fake.ipc.get(requests[name].channel)!(invokeEvent(win.webContents, win.webContents.mainFrame as Frame), { probe: name })
      expect(answer).toEqual({ ok: true, value: { echoed: name } })
    }
    expect(services.dispatched).toEqual(requestNames.map((name) => [name, { probe: name }]))
  })

  it("refuses every sender that is not our window's main frame showing our origin, before dispatch", async () => {
    const { fake, services, win } = await started()
    const other = new fake.FakeWebContents()
    other.mainFrame.url = 'atelier://app/index.html'
    const senders: [string, InvokeEventLike][] = [
      ['a subframe of our window, same URL', invokeEvent(win.webContents, { url: 'atelier://app/index.html' })],
      ['our main frame, navigated elsewhere', invokeEvent(win.webContents, Object.assign(win.webContents.mainFrame as Frame, { url: 'https://evil.example/' }))],
      ['another web contents (not our window)', invokeEvent(other, other.mainFrame)],
      ['a frame already gone', invokeEvent(win.webContents, null)],
    ]
    for (const [what, event] of senders) {
      for (const name of requestNames) {
        expect(await fake.ipc.get(requests[name].channel)!(event, {}), `${what}: ${name}`).toEqual(REFUSED)
      }
    }
    expect(services.dispatched).toEqual([])
    expect(services.warnings).toHaveLength(senders.length * requestNames.length)
  })

  it('a file:// or media page in our window is refused too', async () => {
    const { fake, services, win } = await started()
    for (const url of ['file:///etc/passwd', 'atelier://media/abc/full', 'atelier://evil/index.html']) {
      ;(win.webContents.mainFrame as Frame).url = url
      expect(await fake.ipc.get(requests.getSettings.channel)!(invokeEvent(win.webContents, win.webContents.mainFrame as Frame), undefined)).toEqual(REFUSED)
    }
    expect(services.dispatched).toEqual([])
  })

  it('every event of the contract reaches the window on its channel, and none once the window is gone', async () => {
    const { services, win } = await started()
    const { emit } = services.context()
    for (const name of eventNames) emit(name as EventName, { probe: name } as never)
    expect(win.webContents.sent).toEqual(eventNames.map((name) => [events[name].channel, { probe: name }]))
    ;(win as unknown as { close(): void }).close()
    emit('onLibraryChanged', { imageIds: ['x'] })
    expect(win.webContents.sent).toHaveLength(eventNames.length)
  })
})

describe('shell wiring: the atelier:// protocol', () => {
  it('serves the built renderer with its CSP as a header, and media by id through the services', async () => {
    const { fake } = await started()
    const handle = fake.protocols.get('atelier')!
    const page = await handle(new Request('atelier://app/index.html'))
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toBe(`default-src 'self'; frame-ancestors 'none'`)
    expect(await (await handle(new Request('atelier://media/img-1/thumb'))).text()).toBe('media /img-1/thumb')
    expect((await handle(new Request('atelier://elsewhere/index.html'))).status).toBe(404)
  })
})

describe('shell wiring: security handlers', () => {
  const PERMISSIONS = [
    'media',
    'geolocation',
    'notifications',
    'midi',
    'midiSysex',
    'pointerLock',
    'fullscreen',
    'openExternal',
    'clipboard-read',
    'clipboard-sanitized-write',
    'display-capture',
    'idle-detection',
    'keyboardLock',
    'window-management',
    'storage-access',
    'hid',
    'serial',
    'usb',
    'mediaKeySystem',
    'unknown',
  ]
  const GRANTED_TO_APP = ['notifications', 'clipboard-sanitized-write']

  it('permission requests: refused, except notifications and clipboard writes for our own main frame', async () => {
    const { fake, win } = await started()
    const ask = (contents: { id: number }, permission: string, details: { requestingUrl?: string; isMainFrame: boolean }) => {
      let answer: boolean | undefined
      fake.session.request!(contents, permission, (granted) => (answer = granted), details)
      return answer
    }
    const app = { requestingUrl: 'atelier://app/index.html', isMainFrame: true }
    for (const permission of PERMISSIONS) {
      expect(ask(win.webContents, permission, app), permission).toBe(GRANTED_TO_APP.includes(permission))
      expect(ask(win.webContents, permission, { ...app, isMainFrame: false }), `${permission} from a subframe`).toBe(false)
      expect(ask(win.webContents, permission, { requestingUrl: 'https://evil.example/', isMainFrame: true }), `${permission} from elsewhere`).toBe(false)
      expect(ask(win.webContents, permission, { isMainFrame: true }), `${permission} without a URL`).toBe(false)
      expect(ask({ id: 999 }, permission, app), `${permission} from another web contents`).toBe(false)
    }
  })

  it('permission checks: the same answers, and false without a web contents', async () => {
    const { fake, win } = await started()
    const check = fake.session.check!
    for (const permission of PERMISSIONS) {
      expect(check(win.webContents, permission, 'atelier://app', { isMainFrame: true }), permission).toBe(GRANTED_TO_APP.includes(permission))
      expect(check(win.webContents, permission, 'atelier://app', { isMainFrame: false }), permission).toBe(false)
      expect(check(win.webContents, permission, 'https://evil.example', { isMainFrame: true }), permission).toBe(false)
      expect(check(null, permission, 'atelier://app', { isMainFrame: true }), permission).toBe(false)
    }
  })

  it('navigation away from the app is prevented; Oxen pages open in the browser, nothing else does', async () => {
    const { fake, win } = await started()
    const contents = win.webContents as InstanceType<ReturnType<typeof standIn>['FakeWebContents']>
    for (const event of ['will-navigate', 'will-redirect'] as const) {
      expect(contents.fire(event, 'atelier://app/index.html#/library'), event).toBe(false)
      for (const url of ['https://evil.example/', 'http://oxen.ai/', 'file:///etc/passwd', 'atelier://media/abc/full', 'atelier://evil/', 'javascript:alert(1)', 'not a url']) {
        expect(contents.fire(event, url), `${event} ${url}`).toBe(true)
      }
      expect(contents.fire(event, 'https://www.oxen.ai/settings/billing'), event).toBe(true)
    }
    expect(fake.opened).toEqual(['https://www.oxen.ai/settings/billing', 'https://www.oxen.ai/settings/billing'])
  })

  it('window.open is always denied; only https links to Oxen are handed to the browser', async () => {
    const { fake, win } = await started()
    const open = (win.webContents as InstanceType<ReturnType<typeof standIn>['FakeWebContents']>).openHandler!
    const urls = [
      'https://www.oxen.ai/settings/billing',
      'https://oxen.ai/',
      'https://hub.oxen.ai/api',
      'http://www.oxen.ai/',
      'https://oxen.ai.evil.example/',
      'https://evil.example/?oxen.ai',
      'https://user:pw@oxen.ai/',
      'https://oxen.ai:8443/',
      'atelier://app/index.html',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'about:blank',
    ]
    for (const url of urls) expect(open({ url }), url).toEqual({ action: 'deny' })
    expect(fake.opened).toEqual(['https://www.oxen.ai/settings/billing', 'https://oxen.ai/', 'https://hub.oxen.ai/api'])
  })

  it('no <webview> is ever attached, in our window or any web contents created later', async () => {
    const { fake, win } = await started()
    const contents = win.webContents as InstanceType<ReturnType<typeof standIn>['FakeWebContents']>
    expect(contents.fire('will-attach-webview')).toBe(true)
    const later = new fake.FakeWebContents()
    fake.emitApp('web-contents-created', {}, later)
    expect(later.fire('will-attach-webview')).toBe(true)
    expect(later.fire('will-navigate', 'https://evil.example/')).toBe(true)
    expect(later.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
  })
})

describe('shell wiring: the platform the services are given', () => {
  it('drag-out starts an OS drag of main-resolved files from our window, with the icon as a native image', async () => {
    const { services, win } = await started()
    const icon = Buffer.from('png')
    services.context().platform.startDrag(['/lib/images/2026/11/a.png', '/lib/images/2026/11/b.png'], icon)
    const drags = (win.webContents as InstanceType<ReturnType<typeof standIn>['FakeWebContents']>).drags
    expect(drags).toEqual([{ file: '/lib/images/2026/11/a.png', files: ['/lib/images/2026/11/a.png', '/lib/images/2026/11/b.png'], icon: new FakeImage(icon) }])
    services.context().platform.startDrag([], icon)
    expect(drags).toHaveLength(1)
  })

  it('copy puts a PNG buffer or a file on the clipboard as an image; reveal shows the file in its folder', async () => {
    const { fake, services } = await started()
    const { platform } = services.context()
    platform.copyImage({ png: Buffer.from('png') })
    platform.copyImage({ path: '/lib/images/a.jpg' })
    expect(fake.clipboardImages).toEqual([new FakeImage(Buffer.from('png')), new FakeImage('/lib/images/a.jpg')])
    platform.reveal('/lib/images/a.jpg')
    expect(fake.revealed).toEqual(['/lib/images/a.jpg'])
  })

  it('export asks where with dialogs attached to our window, and says null when cancelled', async () => {
    const { fake, services, win } = await started()
    const { platform } = services.context()
    expect(await platform.exportTarget('zip', 'atelier-export-1.zip')).toBe('/home/me/Downloads/x.zip')
    expect(await platform.exportTarget('folder', 'atelier-export-1')).toBe('/home/me/Pictures')
    expect(fake.dialogs.map((d) => [d.kind, d.owner === win])).toEqual([
      ['save', true],
      ['open', true],
    ])
    expect(fake.dialogs[0]!.options).toMatchObject({ defaultPath: '/home/me/Downloads/atelier-export-1.zip' })
    fake.dialogAnswers.save = { canceled: true }
    fake.dialogAnswers.open = { canceled: true, filePaths: [] }
    expect(await platform.exportTarget('zip', 'x.zip')).toBeNull()
    expect(await platform.exportTarget('folder', 'x')).toBeNull()
  })
})

describe('shell wiring: app events', () => {
  it('a second launch brings the window back; closing it quits except on macOS; quitting disposes the services', async () => {
    const { fake, services, win } = await started()
    ;(win as unknown as { minimized: boolean }).minimized = true
    fake.emitApp('second-instance')
    expect([(win as unknown as { restored: number }).restored, (win as unknown as { focused: number }).focused]).toEqual([1, 1])
    fake.emitApp('window-all-closed')
    expect(fake.quits()).toBe(1)
    fake.emitApp('will-quit')
    expect(services.disposed()).toBe(1)

    const mac = await started({ platform: 'darwin' })
    mac.fake.emitApp('window-all-closed')
    expect(mac.fake.quits()).toBe(0)
  })

  it('activate with no window open makes a new one that is trusted like the first', async () => {
    const { fake, services } = await started({ platform: 'darwin' })
    ;(fake.windows()[0] as unknown as { close(): void }).close()
    fake.emitApp('activate')
    const second = fake.windows()[0]!
    expect(second.loaded).toEqual(['atelier://app/index.html'])
    const answer = await fake.ipc.get(requests.getSettings.channel)!(invokeEvent(second.webContents, second.webContents.mainFrame as Frame), undefined)
    expect(answer).toEqual({ ok: true, value: { echoed: 'getSettings' } })
    services.context().emit('onLibraryChanged', { imageIds: ['a'] })
    expect((second.webContents as InstanceType<ReturnType<typeof standIn>['FakeWebContents']>).sent).toEqual([['library:changed', { imageIds: ['a'] }]])
  })
})
