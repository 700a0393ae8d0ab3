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
