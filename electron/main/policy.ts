// What the shell lets web content do beyond showing the app: pure decisions, so the rules read in one place and
// are unit-tested without Electron (test/unit/shell-wiring.test.ts drives them through wire.ts as well).
import { SCHEME } from './protocol'

/** `scheme://host` of a URL (custom schemes have an opaque origin in WHATWG URL); '' when it is not a URL. */
export function originOf(url: string): string {
  try {
    const u = new URL(url)
    return u.protocol === `${SCHEME}:` ? `${u.protocol}//${u.host}` : u.origin
  } catch {
    return '' // no origin, so never one we allow
  }
}

export const isAllowedOrigin = (url: string, allowedOrigins: readonly string[]) => {
  const origin = originOf(url)
  return origin !== '' && origin !== 'null' && allowedOrigins.includes(origin)
}

/**
 * Sites a link in the app may open in the user's browser: Oxen's own pages (billing, keys, model cards). Nothing
 * else leaves through shell.openExternal, whatever the page asks (security checklist #15).
 */
export const EXTERNAL_HOSTS = ['oxen.ai'] as const

/** The URL to hand to shell.openExternal, or null: https only, an Oxen host, no credentials, no odd port. */
export function externalLink(url: string): string | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  if (u.protocol !== 'https:' || u.username || u.password || u.port) return null
  const host = u.hostname.toLowerCase()
  return EXTERNAL_HOSTS.some((allowed) => host === allowed || host.endsWith(`.${allowed}`)) ? u.href : null
}

/**
 * Web permissions the app's own page may have; every other permission, and these from any other origin or frame,
 * are refused (Electron grants all by default). `notifications`: a finished job is announced while the window is
 * in the background (renderer/src/store/notify.ts). `clipboard-sanitized-write`: Copy prompt / Copy recipe write
 * text with navigator.clipboard (images go through main's clipboard). Nothing reads the clipboard, the camera,
 * the microphone, the location, HID/USB/serial devices, or goes fullscreen.
 */
export const ALLOWED_PERMISSIONS: readonly string[] = ['notifications', 'clipboard-sanitized-write']

export function permissionAllowed(permission: string, requestingUrl: string, isMainFrame: boolean, allowedOrigins: readonly string[]): boolean {
  return ALLOWED_PERMISSIONS.includes(permission) && isMainFrame && isAllowedOrigin(requestingUrl, allowedOrigins)
}
