// The two house rules must actually fire: lint a few snippets as if they lived at given paths.
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: process.cwd() })
async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message)
}

describe('house lint rules', () => {
  it('refuses electron outside the shell, in every import form', async () => {
    for (const code of [
      "import { app } from 'electron'\nexport const a = app",
      "export { app } from 'electron'",
      "export const p = import('electron')",
      "export const e = require('electron')",
    ]) {
      expect(await ruleIds(code, 'electron/services/x.ts')).toContain('atelier/no-electron-outside-shell')
      expect(await ruleIds(code, 'renderer/src/x.ts')).toContain('atelier/no-electron-outside-shell')
    }
  })
  it('allows electron in electron/main and electron/preload', async () => {
    const code = "import { app } from 'electron'\nexport const a = app"
    expect(await ruleIds(code, 'electron/main/x.ts')).not.toContain('atelier/no-electron-outside-shell')
    expect(await ruleIds(code, 'electron/preload/x.ts')).not.toContain('atelier/no-electron-outside-shell')
  })
  it('refuses window.atelier outside the bridge module', async () => {
    for (const code of ['export const a = window.atelier', "export const a = window['atelier']", 'export const a = globalThis.atelier']) {
      expect(await ruleIds(code, 'renderer/src/components/x.ts')).toContain('atelier/no-bridge-outside-bridge-module')
    }
    expect(await ruleIds('export const a = window.atelier', 'renderer/src/bridge.ts')).not.toContain(
      'atelier/no-bridge-outside-bridge-module',
    )
  })
})
