// Two house rules that fail the build (DEVELOPERS.md, "Electron stays at the edge" and "one module
// alone touches the bridge"). Plain JS so ESLint loads it without a build step.
import path from 'node:path'

const rel = (context) => path.relative(context.cwd ?? process.cwd(), context.filename).split(path.sep).join('/')
const isElectronModule = (source) => source === 'electron' || source.startsWith('electron/')

/** `electron` may be imported only by the thin shell: electron/main and electron/preload. */
const noElectronOutsideShell = {
  meta: {
    type: 'problem',
    docs: { description: 'Only electron/main and electron/preload may import electron' },
    messages: {
      leak: "'electron' is imported in {{file}}: only electron/main and electron/preload may import it. Pass what you need in as an argument.",
    },
    schema: [],
  },
  create(context) {
    const file = rel(context)
    if (/^electron\/(main|preload)\//.test(file)) return {}
    const report = (node, source) => {
      if (typeof source === 'string' && isElectronModule(source)) context.report({ node, messageId: 'leak', data: { file } })
    }
    return {
      ImportDeclaration: (node) => report(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && report(node, node.source.value),
      ExportAllDeclaration: (node) => report(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && report(node, node.source.value),
      CallExpression(node) {
        const [arg] = node.arguments
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && arg?.type === 'Literal') report(node, arg.value)
      },
    }
  },
}

const BRIDGE_MODULE = 'renderer/src/bridge.ts'

/** `window.atelier` may be touched only by the renderer's one bridge module. */
const noBridgeOutsideBridgeModule = {
  meta: {
    type: 'problem',
    docs: { description: 'Only renderer/src/bridge.ts may touch window.atelier' },
    messages: {
      touch: 'window.atelier is touched in {{file}}: go through renderer/src/bridge.ts instead.',
    },
    schema: [],
  },
  create(context) {
    const file = rel(context)
    if (file === BRIDGE_MODULE || !file.startsWith('renderer/')) return {}
    return {
      MemberExpression(node) {
        const prop = node.computed ? node.property.type === 'Literal' && node.property.value : node.property.name
        if (prop !== 'atelier') return
        if (node.object.type === 'Identifier' && ['window', 'globalThis', 'self'].includes(node.object.name)) {
          context.report({ node, messageId: 'touch', data: { file } })
        }
      },
    }
  },
}

export default {
  meta: { name: 'atelier' },
  rules: {
    'no-electron-outside-shell': noElectronOutsideShell,
    'no-bridge-outside-bridge-module': noBridgeOutsideBridgeModule,
  },
}
