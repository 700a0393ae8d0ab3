// Which IPC senders main answers: our own window's main frame, showing our own origin. Pure, so it is
// unit-tested in plain Node (GitHub Desktop once shipped this check inverted).
export interface SenderInfo {
  webContentsId: number
  isMainFrame: boolean
  frameUrl: string
}

export function isTrustedSender(sender: SenderInfo, trustedIds: ReadonlySet<number>, allowedOrigins: readonly string[]): boolean {
  if (!trustedIds.has(sender.webContentsId) || !sender.isMainFrame) return false
  let origin: string
  try {
    origin = new URL(sender.frameUrl).origin
  } catch {
    return false
  }
  // Custom schemes have an opaque "null" origin in WHATWG URL; compare scheme + host instead.
  const key = origin === 'null' ? originKey(sender.frameUrl) : origin
  return allowedOrigins.some((allowed) => (new URL(allowed).origin === 'null' ? originKey(allowed) : new URL(allowed).origin) === key)
}

function originKey(url: string): string {
  const u = new URL(url)
  return `${u.protocol}//${u.host}`
}
