// Base64 of a file's bytes without one huge argument list or string per call (a 30 MB file would
// overflow the stack with String.fromCharCode(...bytes)).

/** A multiple of 3, so every slice encodes without padding and the pieces simply join. */
const SLICE = 3 * 8192

export function base64FromBytes(bytes: Uint8Array): string {
  const parts: string[] = []
  for (let start = 0; start < bytes.length; start += SLICE) {
    const slice = bytes.subarray(start, start + SLICE)
    parts.push(btoa(String.fromCharCode.apply(null, slice as unknown as number[])))
  }
  return parts.join('')
}

export async function base64Of(blob: Blob): Promise<string> {
  return base64FromBytes(new Uint8Array(await blob.arrayBuffer()))
}
