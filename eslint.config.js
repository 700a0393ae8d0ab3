import { builtinModules } from 'node:module'
import tseslint from 'typescript-eslint'
import atelier from './tools/eslint/atelier-rules.js'

// The walls between the rooms of docs/architecture.md. Each wall is a regex over the import specifier and one
// sentence saying which wall and why. `no-restricted-imports` holds it for `import`/`export … from`;
// `no-restricted-syntax` holds the same regex for `import()` and `require()`, which that rule does not see.
// ESLint does not merge a rule's options across config blocks (the last block matching a file wins), so every
// room's walls sit in one block and the rooms' `files` globs must not overlap.
const CODE = '**/*.{ts,tsx,js,mjs}'
/** A relative specifier that climbs out of its folder into one of `rooms`: `../../electron/services/x`. */
const climbsInto = (...rooms) => `^(\\./)?(\\.\\./)+(${rooms.join('|')})(/|$)`
/** A relative specifier that stays in its own folder: `./domain`, `./oxen/api` — no `..` anywhere. */
const HERE = '\\.(/[^./][^/]*)+'
const NODE_BUILTIN = `^(node:|(${builtinModules.filter((m) => !m.includes('/')).join('|')})(/|$))`

const wall = (regex, message) => ({ regex, message })
const room = (folder, ...walls) => ({
  files: [`${folder}/${CODE}`],
  rules: {
    'no-restricted-imports': ['error', { patterns: walls.map(({ regex, message }) => ({ regex, message, caseSensitive: true })) }],
    'no-restricted-syntax': [
      'error',
      ...walls.flatMap(({ regex, message }) => {
        const re = `/${regex.replaceAll('/', '\\/')}/u`
        return [
          { selector: `ImportExpression[source.value=${re}]`, message },
          { selector: `CallExpression[callee.name='require'][arguments.0.value=${re}]`, message },
        ]
      }),
    ],
  },
})

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    plugins: { atelier },
    rules: {
      // What no-restricted-imports cannot say: `electron` only in the shell, `window.atelier` only in the bridge.
      'atelier/no-electron-outside-shell': 'error',
      'atelier/no-bridge-outside-bridge-module': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  room(
    'shared',
    wall(
      `^(?!(zod(/[^/]+)*|${HERE})$)`,
      'shared/ is the contract that main, preload and renderer all load, so it may import only zod and other files in shared/.',
    ),
  ),
  room(
    'electron/services',
    wall(
      climbsInto('tools'),
      'electron/services must not import tools/ (the Oxen simulator, the harness): services talk to the real Oxen server, and tools only drive them from outside.',
    ),
    wall(climbsInto('renderer'), 'electron/services must not import renderer/: the UI and the services meet only through the IPC contract in shared/.'),
    wall(
      climbsInto('main', 'preload', 'electron/main', 'electron/preload'),
      'electron/services must not import electron/main or electron/preload: the shell wires the services, never the other way round.',
    ),
  ),
  room(
    'electron/preload',
    wall(
      `^(?!(electron(/[^/]+)*|${HERE}|(\\.\\./)+shared(/[^./][^/]*)+)$)`,
      'electron/preload may import only electron and shared/: it builds window.atelier from the contract and nothing else.',
    ),
  ),
  room(
    'renderer',
    wall(
      climbsInto('electron'),
      'renderer/ must not import electron/ (services, main, preload): the UI reaches them only through window.atelier and the contract in shared/.',
    ),
    wall(climbsInto('tools'), 'renderer/ must not import tools/: the UI ships in the app and must not lean on the simulator or the harness.'),
    wall(NODE_BUILTIN, 'renderer/ must not import Node built-ins: it runs in a sandboxed web page, so ask main through the contract in shared/.'),
  ),
  room(
    'tools/oxen-simulator',
    wall(
      climbsInto('electron', 'renderer'),
      'tools/oxen-simulator must not import electron/ or renderer/: it stands in for the remote Oxen server and must stay independent of the app.',
    ),
  ),
  {
    // The shell's wiring, protocol and policies take Electron as a parameter, so test/unit/shell-wiring.test.ts and
    // protocol.test.ts run them in plain Node: only index.ts hands them the real `electron`.
    ...room(
      'electron/main',
      wall('^electron(/|$)', 'Only electron/main/index.ts imports electron: the rest of the shell takes it as a parameter (wire.ts ElectronLike) so it runs under test without the binary.'),
    ),
    ignores: ['electron/main/index.ts'],
  },
  {
    // Types of the schemas are free; one value import from them would put zod and every schema in the renderer's bundle.
    files: [`renderer/${CODE}`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)shared/(domain|contract|sync)$',
              allowTypeImports: true,
              message: 'renderer/ may import only types from shared/domain, shared/contract and shared/sync (zod schemas); take plain values from shared/limits.',
            },
          ],
        },
      ],
    },
  },
)
