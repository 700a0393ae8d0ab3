// Sends a file body, optionally with a download fault: paced (slow), cut short (truncated: the full
// Content-Length, half the bytes, then the connection closes) or corrupt (same length and type, undecodable).
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { DownloadAction } from './faults'

const TICK_MS = 50

/** Same length; the first bytes (the format's magic) kept, the rest replaced by a fixed pattern. */
export function corruptImage(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes)
  let state = 0x9e3779b9
  for (let i = Math.min(8, out.length); i < out.length; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    out[i] = state & 0xff
  }
  return out
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

/** Resolves once the chunk is handed to the socket (or the socket is gone). */
function write(res: ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve) => res.write(chunk, () => resolve()))
}

/**
 * Answers 200 with `bytes`; `onComplete` runs once an intact body was fully sent (not for HEAD, truncated or
 * corrupt bodies).
 */
export async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  bytes: Buffer,
  headers: Record<string, string | number>,
  fault: DownloadAction = {},
  onComplete?: () => void,
): Promise<void> {
  res.writeHead(200, { ...headers, 'Content-Length': bytes.length })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  const body =
    fault.action === 'corrupt'
      ? corruptImage(bytes)
      : fault.action === 'truncate'
        ? bytes.subarray(0, Math.floor(bytes.length / 2))
        : bytes
  if (fault.action === undefined && onComplete) res.once('finish', onComplete)

  if (fault.bytesPerSecond === undefined) {
    await write(res, body)
  } else {
    // Paced: a chunk per tick; waiting for each write also respects a client that reads slowly.
    const perTick = Math.max(1, Math.floor((fault.bytesPerSecond * TICK_MS) / 1000))
    const tickMs = Math.max(TICK_MS, Math.round((perTick * 1000) / fault.bytesPerSecond))
    for (let offset = 0; offset < body.length && !res.destroyed; offset += perTick) {
      if (offset > 0) await sleep(tickMs)
      await write(res, body.subarray(offset, offset + perTick))
    }
  }
  // Truncated: the bytes are on the socket, now close it: the client sees fewer bytes than Content-Length.
  if (fault.action === 'truncate') res.destroy()
  else res.end()
}
