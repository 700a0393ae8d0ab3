// One way to replace a file the app keeps (the draft, the model catalogue, push journals, the history import's state):
// written whole to a temp file beside it, flushed, and renamed over the old one.
import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'

/** Writes `text` to `file` so that a crash at any point leaves either the old file or the new one. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
  try {
    const handle = await open(temp, 'w', 0o600)
    try {
      await handle.writeFile(text, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, file)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
  // The rename itself is durable once the folder is flushed (POSIX; Windows cannot open a folder for this).
  if (process.platform !== 'win32') {
    const folder = await open(dirname(file), 'r').catch(() => null)
    await folder
      ?.sync()
      .catch(() => undefined)
      .finally(() => folder.close())
  }
}
