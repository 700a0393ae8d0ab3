// Renders resources/icon.svg to resources/icon.png (1024 px), the one icon electron-builder needs: it derives the
// macOS .icns and the Windows .ico from it, and the Linux packages use it as is. Run after editing the SVG.
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'

const resources = fileURLToPath(new URL('../resources/', import.meta.url))
await sharp(`${resources}icon.svg`, { density: 72 }).resize(1024, 1024).png({ compressionLevel: 9 }).toFile(`${resources}icon.png`)
console.log('resources/icon.png written')
