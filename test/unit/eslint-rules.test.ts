// The house rules and the walls between the rooms (docs/architecture.md) must actually fire: lint a few snippets
// as if they lived at given paths.
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

// Every form a module can be pulled in by: the walls must hold for each.
const importForms = (spec: string): string[] => [
  `import { x } from '${spec}'\nexport const a = x`,
  `import type { X } from '${spec}'\nexport type A = X`,
  `export { x } from '${spec}'`,
  `export * from '${spec}'`,
  `export const p = import('${spec}')`,
  `export const e = require('${spec}')`,
]
const WALL_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax'])
async function wallMessages(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).filter((m) => m.ruleId && WALL_RULES.has(m.ruleId)).map((m) => m.message)
}
/** Each `[file, specifier]` must be refused, in every import form, with the message naming `wall`. */
async function expectRefused(wall: string, cases: Array<[file: string, spec: string]>): Promise<void> {
  for (const [file, spec] of cases) {
    for (const code of importForms(spec)) {
      const messages = await wallMessages(code, file)
      expect(messages.some((m) => m.includes(wall)), `${file}: ${code}\n${messages.join('\n')}`).toBe(true)
    }
  }
}
/** Each `[file, specifier]` must pass every wall, in every import form. */
async function expectAllowed(cases: Array<[file: string, spec: string]>): Promise<void> {
  for (const [file, spec] of cases) {
    for (const code of importForms(spec)) expect(await wallMessages(code, file), `${file}: ${code}`).toEqual([])
  }
}

describe('the walls between the rooms', () => {
  it('shared/ imports only zod and files in shared/', async () => {
    await expectRefused('shared/ is the contract', [
      ['shared/contract.ts', '../electron/services/app'],
      ['shared/contract.ts', '../electron/main/index'],
      ['shared/contract.ts', '../renderer/src/bridge'],
      ['shared/contract.ts', '../tools/oxen-simulator/index'],
      ['shared/contract.ts', './oxen/../../electron/services/app'],
      ['shared/contract.ts', 'electron'],
      ['shared/contract.ts', 'node:fs'],
      ['shared/domain.ts', 'react'],
      ['shared/domain.ts', 'zodiac'],
    ])
    await expectAllowed([
      ['shared/contract.ts', 'zod'],
      ['shared/contract.ts', './domain'],
      ['shared/domain.ts', './oxen/api'],
    ])
  })

  it('electron/services never import tools/ (the simulator, the harness)', async () => {
    await expectRefused('electron/services must not import tools/', [
      ['electron/services/oxen/client.ts', '../../../tools/oxen-simulator/index'],
      ['electron/services/jobs/engine.ts', '../../../tools/harness/server'],
      ['electron/services/app.ts', '../../tools/oxen-simulator/faults'],
      ['electron/services/app.ts', './../../tools/oxen-simulator/faults'],
    ])
  })
  it('electron/services never import renderer/', async () => {
    await expectRefused('electron/services must not import renderer/', [
      ['electron/services/app.ts', '../../renderer/src/bridge'],
      ['electron/services/library/query.ts', '../../../renderer/src/store/library'],
    ])
  })
  it('electron/services never import electron/main or electron/preload', async () => {
    await expectRefused('electron/services must not import electron/main or electron/preload', [
      ['electron/services/app.ts', '../main/index'],
      ['electron/services/app.ts', '../preload/index'],
      ['electron/services/library/media.ts', '../../main/protocol'],
      ['electron/services/library/media.ts', '../../../electron/main/protocol'],
    ])
  })
  it('electron/services may import Node, packages, shared/ and each other', async () => {
    await expectAllowed([
      ['electron/services/jobs/engine.ts', 'node:fs/promises'],
      ['electron/services/jobs/engine.ts', 'zod'],
      ['electron/services/library/library.ts', 'libsql'],
      ['electron/services/jobs/engine.ts', '../../../shared/contract'],
      ['electron/services/app.ts', '../../shared/domain'],
      ['electron/services/jobs/engine.ts', '../oxen/client'],
      ['electron/services/library/query.ts', './reader'],
      ['electron/services/app.ts', './errors'],
    ])
  })

  it('electron/preload imports only electron and shared/', async () => {
    await expectRefused('electron/preload may import only electron and shared/', [
      ['electron/preload/index.ts', '../services/app'],
      ['electron/preload/index.ts', '../main/index'],
      ['electron/preload/index.ts', '../../renderer/src/bridge'],
      ['electron/preload/index.ts', '../../tools/harness/protocol'],
      ['electron/preload/index.ts', '../../shared/../electron/services/app'],
      ['electron/preload/index.ts', 'node:fs'],
      ['electron/preload/index.ts', 'zod'],
    ])
    await expectAllowed([
      ['electron/preload/index.ts', 'electron'],
      ['electron/preload/index.ts', '../../shared/contract'],
      ['electron/preload/index.ts', './channels'],
    ])
  })

  it('renderer/ never imports electron/ (services, main, preload)', async () => {
    await expectRefused('renderer/ must not import electron/', [
      ['renderer/src/App.tsx', '../../electron/services/app'],
      ['renderer/src/components/jobs/JobList.tsx', '../../../../electron/services/jobs/engine'],
      ['renderer/src/store/library.ts', '../../../electron/main/index'],
      ['renderer/src/bridge.ts', '../../electron/preload/index'],
    ])
  })
  it('renderer/ never imports tools/', async () => {
    await expectRefused('renderer/ must not import tools/', [
      ['renderer/src/App.tsx', '../../tools/oxen-simulator/index'],
      ['renderer/src/lib/format.ts', '../../../tools/harness/protocol'],
    ])
  })
  it('renderer/ never imports Node built-ins', async () => {
    await expectRefused('renderer/ must not import Node built-ins', [
      ['renderer/src/App.tsx', 'node:fs'],
      ['renderer/src/lib/format.ts', 'fs'],
      ['renderer/src/lib/format.ts', 'fs/promises'],
      ['renderer/src/store/library.ts', 'path'],
      ['renderer/src/store/library.ts', 'child_process'],
    ])
  })
  it('renderer/ may import shared/, packages and itself', async () => {
    await expectAllowed([
      ['renderer/src/components/jobs/JobList.tsx', '../../../../shared/domain'],
      ['renderer/src/bridge.ts', '../../shared/contract'],
      ['renderer/src/App.tsx', 'react'],
      ['renderer/src/App.tsx', 'zustand/react/shallow'],
      ['renderer/src/App.tsx', './views/CreateView'],
      ['renderer/src/components/jobs/JobList.tsx', '../../store/jobs'],
    ])
  })

  it('tools/oxen-simulator never imports electron/ or renderer/', async () => {
    await expectRefused('tools/oxen-simulator must not import electron/ or renderer/', [
      ['tools/oxen-simulator/routes.ts', '../../electron/services/oxen/client'],
      ['tools/oxen-simulator/models.ts', '../../electron/main/index'],
      ['tools/oxen-simulator/render.ts', '../../renderer/src/lib/format'],
    ])
    await expectAllowed([
      ['tools/oxen-simulator/http.ts', 'node:http'],
      ['tools/oxen-simulator/render.ts', 'sharp'],
      ['tools/oxen-simulator/params.ts', 'zod'],
      ['tools/oxen-simulator/routes.ts', './faults'],
    ])
  })

  it('tests, benchmarks, the harness and main may reach the services', async () => {
    await expectAllowed([
      ['test/integration/jobs.test.ts', '../../electron/services/app'],
      ['test/integration/jobs.test.ts', '../../tools/oxen-simulator/index'],
      ['bench/library.ts', '../electron/services/library/library'],
      ['tools/harness/server.ts', '../../electron/services/app'],
      ['tools/harness/server.ts', '../oxen-simulator/index'],
      ['electron/main/index.ts', '../services/app'],
      ['electron/main/index.ts', '../../shared/contract'],
    ])
  })
})
