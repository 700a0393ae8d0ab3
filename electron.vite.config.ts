import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // electron-store is ESM-only; bundle it so the main bundle loads whatever the module format.
      externalizeDeps: { exclude: ['electron-store', 'conf'] },
      // The library's query worker is its own entry: library/reader.ts starts out/main/library-worker.js.
      rollupOptions: { input: { index: resolve('electron/main/index.ts'), 'library-worker': resolve('electron/services/library/worker.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot use ESM imports: one self-contained CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
      },
    },
  },
  renderer: {
    root: 'renderer',
    build: {
      outDir: 'out/renderer',
      // electron-vite leaves bundles unminified; the renderer's parse time is on the first paint's path.
      minify: true,
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
    plugins: [react()],
  },
})
