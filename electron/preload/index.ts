// The preload exposes exactly the contract: one function per request, one subscription per event.
// No generic invoke; listeners never see the IPC event (it carries `sender`).
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { eventNames, events, requestNames, requests, type AtelierApi } from '../../shared/contract'

const api: Record<string, unknown> = {}
for (const name of requestNames) {
  const { channel } = requests[name]
  api[name] = (input?: unknown) => ipcRenderer.invoke(channel, input)
}
for (const name of eventNames) {
  const { channel } = events[name]
  api[name] = (listener: (payload: unknown) => void) => {
    const strip = (_event: IpcRendererEvent, payload: unknown) => listener(payload)
    ipcRenderer.on(channel, strip)
    return () => {
      ipcRenderer.removeListener(channel, strip)
    }
  }
}
// Electron ≥ 32 removed File.path. Main re-validates whatever path comes back.
api.pathForFile = (file: File) => webUtils.getPathForFile(file)

contextBridge.exposeInMainWorld('atelier', api as AtelierApi)
