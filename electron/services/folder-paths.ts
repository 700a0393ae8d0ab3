// "Is this path inside that folder?": the one check for every path built from a stored or requested name (library
// rows, media requests, the renderer's own files), so '..', absolute paths and symlinks out are refused alike.
import { realpathSync, statSync } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import { isAbsolute, relative, resolve, sep } from 'node:path'

/** `path` (absolute, or relative to `dir`) made absolute if by name it lies strictly inside `dir`; else null. Follows no symlink. */
export function pathInside(dir: string, path: string): string | null {
  const abs = resolve(dir, path)
  const rel = relative(dir, abs)
  return rel && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel) ? abs : null
}

export interface FolderFiles {
  /** The real path of `path` if it is a regular file inside the folder, also after following symlinks; else null. */
  find(path: string): string | null
  /** `find` without blocking the event loop, for many files at once. */
  findAsync(path: string): Promise<string | null>
}

/** The regular files of `dir`, which must exist (its real path is read once, here). */
export function folderFiles(dir: string): FolderFiles {
  const realDir = realpathSync(dir)
  return {
    find(path) {
      const abs = pathInside(dir, path)
      try {
        const real = abs && pathInside(realDir, realpathSync(abs))
        return real && statSync(real).isFile() ? real : null
      } catch {
        return null // gone, or a broken link: no file
      }
    },
    async findAsync(path) {
      const abs = pathInside(dir, path)
      try {
        const real = abs && pathInside(realDir, await realpath(abs))
        return real && (await stat(real)).isFile() ? real : null
      } catch {
        return null
      }
    },
  }
}
