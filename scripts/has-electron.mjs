// Exit 0 when an Electron binary is installed, without loading the electron package (which may try to download it).
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
try {
  const dir = dirname(require.resolve('electron/package.json'))
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  const binary = override ? override : join(dir, 'dist', readFileSync(join(dir, 'path.txt'), 'utf8').trim())
  process.exit(existsSync(binary) ? 0 : 1)
} catch {
  process.exit(1)
}
