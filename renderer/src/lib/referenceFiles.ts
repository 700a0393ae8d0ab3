// How a file the user dropped, pasted or picked travels to main: its path in Electron (main reads and
// re-validates it), its bytes as base64 where there is no path (the browser harness, pasted images).
import type { AddReferenceInput } from '../../../shared/domain'
import { MAX_REFERENCE_BYTES } from '../../../shared/limits'
import { pathForFile } from '../bridge'
import { base64Of } from './base64'

/** The image types the file picker offers; a dropped file of any type still goes to main, which judges by content. */
export const REFERENCE_ACCEPT = 'image/png,image/jpeg,image/webp'

// MAX_REFERENCE_BYTES is checked here only for files sent as bytes: a larger one cannot travel (the bytes
// transport caps base64 at 40,000,000 characters), so main could not say why.

/** Rounded up, so a file just over the limit never reads as "30 MB; at most 30 MB". */
const megabytes = (bytes: number) => (bytes >= 1e9 ? `${Math.ceil(bytes / 1e8) / 10} GB` : `${Math.ceil(bytes / 1e5) / 10} MB`)
const quoted = (name: string) => `“${name.length > 60 ? `${name.slice(0, 57)}…` : name}”`

export function fileLabel(file: File): string {
  return file.name.trim() || 'pasted image'
}

export async function referenceInputFor(file: File): Promise<AddReferenceInput | { error: string }> {
  const path = pathForFile(file)
  if (path) return { kind: 'file', path }
  const name = fileLabel(file)
  if (file.size > MAX_REFERENCE_BYTES) {
    return {
      error:
        `${quoted(name)} is ${megabytes(file.size)}; reference images can be at most ${megabytes(MAX_REFERENCE_BYTES)}. ` +
        'Save a smaller or more compressed copy (for example a JPEG) and add that.',
    }
  }
  try {
    return { kind: 'bytes', name: name.slice(0, 255), base64: await base64Of(file) }
  } catch {
    return { error: `${quoted(name)} could not be read: it may have been moved or deleted. Add it again.` }
  }
}
