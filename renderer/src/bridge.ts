// The one module that touches window.atelier (enforced by lint). Everything else imports `api`.
// In Electron the preload provides it; in the browser harness, the harness's bridge script does.
import type { AtelierApi } from '../../shared/contract'

declare global {
  interface Window {
    readonly atelier?: AtelierApi
  }
}

function resolveApi(): AtelierApi {
  const bridge = window.atelier
  if (!bridge) throw new Error('Atelier’s bridge is missing: open the app through Atelier or its browser harness.')
  return bridge
}

export const api: AtelierApi = resolveApi()

/** The path of a dropped or picked file in Electron; '' in the browser harness (no paths) or when it has none. */
export function pathForFile(file: File): string {
  return api.pathForFile?.(file) ?? ''
}

/** The desktop app (Electron's preload) rather than the browser harness: only it can reach files, the clipboard and the file manager natively. */
export const isDesktop = typeof api.pathForFile === 'function'
