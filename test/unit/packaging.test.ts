// The installer configuration (electron-builder.yml) checked without building — the Electron binary that a build
// packs cannot be downloaded here. electron-builder's own code reads the config, validates it against its schema
// and builds the file filters it would pack with; the test then asks them about every file the app loads at run
// time, every native module and the library worker, and starts that worker from an app.asar.unpacked layout made
// of exactly the files asarUnpack selects. The afterPack hook's fuses are checked with a stand-in flipFuses.
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shellPaths } from '../../electron/main/wire'
import { builtWorkerPath } from '../../electron/services/library/reader'
import { ROOT } from '../processes'

const require = createRequire(join(ROOT, 'package.json'))

// electron-builder's internals (pinned exactly in package.json; an upgrade that moves them fails here, loudly).
interface Stat {
  isDirectory(): boolean
  moduleFullFilePath?: string
}
type Filter = (file: string, stat: Stat) => boolean
interface FileMatcher {
  patterns: string[]
  from: string
  createFilter(): Filter
}
type Config = Record<string, unknown> & {
  files: unknown
  asarUnpack: string[]
  directories: { buildResources: string; output: string }
  afterPack: string
  mac: Record<string, unknown>
  win: Record<string, unknown>
  linux: Record<string, unknown>
}
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: null, configFromOptions: null): Promise<Config>
  validateConfiguration(config: Config, logger: unknown): Promise<void>
}
const fileMatcher = require('app-builder-lib/out/fileMatcher') as {
  FileMatcher: new (from: string, to: string, expand: (s: string) => string, patterns: string[]) => FileMatcher
  getMainFileMatchers(appDir: string, to: string, expand: (s: string) => string, platformOptions: object, packager: object, outDir: string, electronCompile: boolean): FileMatcher[]
  getNodeModuleFileMatcher(appDir: string, to: string, expand: (s: string) => string, platformOptions: object, info: object): FileMatcher
  getFileMatchers(config: Config, name: string, to: string, options: object): FileMatcher[] | null
}
const { resolveFunction } = require('app-builder-lib/out/util/resolve') as {
  resolveFunction(type: string, executor: string, name: string, root: string): Promise<(context: unknown) => Promise<void>>
}
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => { isEnabled: boolean } }

const PLATFORMS = ['mac', 'win', 'linux'] as const
const same = (s: string) => s
const fileStat: Stat = { isDirectory: () => false }
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> }

let config: Config
beforeAll(async () => {
  config = await getConfig(ROOT, null, null)
}, 60_000)

/** What electron-builder packs into app.asar for one platform: app files, and node_modules files. */
function packFilters(platform: (typeof PLATFORMS)[number]) {
  const info = { projectDir: ROOT, buildResourcesDir: config.directories.buildResources, isPrepackedAppAsar: false, config, debugLogger: new DebugLogger(false) }
  const platformOptions = config[platform] ?? {}
  const outDir = join(ROOT, config.directories.output)
  const main = fileMatcher.getMainFileMatchers(ROOT, '/app', same, platformOptions, { info }, outDir, false)
  const mainFilter = main[0]!.createFilter()
  const moduleMatcher = fileMatcher.getNodeModuleFileMatcher(ROOT, '/app', same, platformOptions, info)
  const unpack = fileMatcher.getFileMatchers(config, 'asarUnpack', '/app', { macroExpander: same, customBuildOptions: platformOptions, globalOutDir: outDir, defaultSrc: ROOT })
  const unpackFilter = unpack![0]!.createFilter()
  return {
    /** An app file (path relative to the project) is packed. */
    packs: (file: string) => mainFilter(join(ROOT, file), fileStat),
    /** A file of an installed package is packed (electron-builder filters node_modules by the `files` excludes). */
    packsModuleFile: (pkgDir: string, file: string) =>
      new fileMatcher.FileMatcher(pkgDir, '/app', same, moduleMatcher.patterns).createFilter()(file, { ...fileStat, moduleFullFilePath: moduleRelative(file) }),
    /** A packed file lands in app.asar.unpacked. */
    unpacks: (file: string) => unpackFilter(file, { ...fileStat, moduleFullFilePath: file.includes(`${sep}node_modules${sep}`) ? moduleRelative(file) : undefined }),
  }
}

/** `node_modules/<name>/…` as the file sits in the packed app (nested node_modules kept). */
const moduleRelative = (file: string) => relative(ROOT, file).split(sep).join('/')

/** Every regular file under `dir`. */
function filesUnder(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...filesUnder(path))
    else if (entry.isFile()) out.push(path)
  }
  return out
}

/** The folder of package `name` as Node resolves it from `fromDir` (nested node_modules first), or null. */
function packageDir(name: string, fromDir: string): string | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dir === ROOT || dirname(dir) === dir) return null
  }
}

/** Packages reachable from `names` through dependencies and installed optionalDependencies: name@dir → dir. */
function closure(names: string[], fromDir = ROOT): Map<string, string> {
  const found = new Map<string, string>()
  const visit = (name: string, from: string, optional: boolean) => {
    const dir = packageDir(name, from)
    if (!dir) {
      if (!optional) throw new Error(`${name} (needed from ${relative(ROOT, from) || '.'}) is not installed`)
      return // another platform's prebuild
    }
    if (found.has(dir)) return
    found.set(dir, name)
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: object; optionalDependencies?: object }
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, dir, false)
    for (const dep of Object.keys(manifest.optionalDependencies ?? {})) visit(dep, dir, true)
  }
  for (const name of names) visit(name, fromDir, false)
  return new Map([...found].map(([dir, name]) => [dir, name]))
}

/** Bare package names a built bundle imports (static and dynamic), Node built-ins and electron left out. */
function bareImports(file: string): string[] {
  const source = readFileSync(file, 'utf8')
  // Statements at the start of a line (the bundles are not minified), and import("x") with a literal.
  const patterns = [/^import\s[^;]*?\bfrom\s*["']([^"']+)["']/gm, /^import\s*["']([^"']+)["']/gm, /\bimport\(\s*["']([^"']+)["']\s*\)/g]
  const specifiers = patterns.flatMap((re) => [...source.matchAll(re)].map((m) => m[1]!)).filter((s) => !s.startsWith('.') && !s.startsWith('/'))
  const names = specifiers.filter((s) => !s.startsWith('node:') && s !== 'electron').map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!))
  return [...new Set(names)].sort()
}

const isNative = (file: string) => /\.(node|dylib|dll)$|\.so(\.\d+)*$/.test(file)
const BUILT = existsSync(join(ROOT, 'out/main/index.js')) && existsSync(join(ROOT, 'out/main/library-worker.js'))
const NEEDS_BUILD = 'run `npm run build` first: the packed bundles are checked as built'

describe('electron-builder.yml', () => {
  it("is valid by electron-builder's own schema", async () => {
    await validateConfiguration(config, new DebugLogger(false))
  }, 60_000)

  it('builds a dmg (hardened runtime, entitlements, no notarisation credentials in the file), an NSIS installer, an AppImage and a deb', () => {
    expect(config.appId).toBe('ai.oxen.atelier')
    expect(config.productName).toBe('Atelier')
    expect(config.mac).toMatchObject({ target: 'dmg', hardenedRuntime: true, entitlements: 'resources/entitlements.mac.plist' })
    expect(config.mac.notarize).toBeUndefined() // electron-builder notarises when APPLE_* variables are set, only then
    expect(config.win).toMatchObject({ target: 'nsis' })
    expect(config.linux).toMatchObject({ target: ['AppImage', 'deb'] })
    expect(config.publish).toBeNull()
    expect(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')).not.toMatch(/(APPLE_[A-Z_]+|CSC_[A-Z_]+)\s*[:=]\s*\S/)
  })

  it('has a 1024 px icon and entitlements that allow only JIT', async () => {
    const icon = await sharp(join(ROOT, config.directories.buildResources, 'icon.png')).metadata()
    expect([icon.format, icon.width, icon.height, icon.hasAlpha]).toEqual(['png', 1024, 1024, true])
    const plist = readFileSync(join(ROOT, 'resources/entitlements.mac.plist'), 'utf8')
    expect([...plist.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1])).toEqual(['com.apple.security.cs.allow-jit'])
    expect(config.npmRebuild).toBe(false) // N-API prebuilds: nothing to compile against Electron
    expect(config.asar).toBe(true) // OnlyLoadAppFromAsar needs it
  })

  for (const platform of PLATFORMS) {
    describe(`${platform}: what app.asar holds`, () => {
      it('every file the shell loads at run time: package.json, main, preload, renderer, worker, the window icon', () => {
        const { packs } = packFilters(platform)
        const appPath = '/opt/Atelier/resources/app.asar'
        const paths = shellPaths(appPath)
        const loaded = [
          'package.json',
          pkg.main,
          relative(appPath, paths.preload),
          join(relative(appPath, paths.rendererDir), 'index.html'),
          relative(appPath, paths.icon),
          relative(`${appPath}.unpacked`, builtWorkerPath(join(appPath, dirname(pkg.main)))),
        ]
        expect(loaded).toEqual(['package.json', 'out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'resources/icon.png', 'out/main/library-worker.js'])
        for (const file of loaded) expect(packs(file), file).toBe(true)
        for (const file of ['electron/main/index.ts', 'test/unit/packaging.test.ts', 'renderer/index.html', 'resources/icon.svg', 'node_modules/.package-lock.json', 'dist/x']) {
          expect(packs(file), `${file} stays out`).toBe(false)
        }
      })

      it.skipIf(!BUILT)(`every built file under out/ (${BUILT ? 'as built' : NEEDS_BUILD})`, () => {
        const { packs } = packFilters(platform)
        const built = filesUnder(join(ROOT, 'out')).map((f) => relative(ROOT, f).split(sep).join('/'))
        expect(built.length).toBeGreaterThan(4)
        for (const file of built) expect(packs(file), file).toBe(!file.endsWith('.map'))
      })

      it.skipIf(!BUILT)('every package the main bundle and the worker import, with all it depends on', () => {
        const { packsModuleFile } = packFilters(platform)
        const imported = [...new Set([...bareImports(join(ROOT, 'out/main/index.js')), ...bareImports(join(ROOT, 'out/main/library-worker.js'))])]
        expect(imported).toEqual(expect.arrayContaining(['libsql', 'sharp', '@github/keytar']))
        for (const name of imported) expect(Object.keys(pkg.dependencies), `${name} must be a production dependency to be packed`).toContain(name)
        for (const [dir, name] of closure(imported)) {
          for (const file of filesUnder(dir).slice(0, 200)) expect(packsModuleFile(dir, file), `${name}: ${relative(ROOT, file)}`).toBe(true)
        }
      })

      it('renderer-only packages stay out (Vite bundled them)', () => {
        const { packsModuleFile } = packFilters(platform)
        for (const name of ['react', 'react-dom', 'lucide-react', '@radix-ui/react-dialog', 'electron-store']) {
          const dir = packageDir(name, ROOT)!
          expect(packsModuleFile(dir, join(dir, 'package.json')), name).toBe(false)
        }
      })
    })

    describe(`${platform}: what app.asar.unpacked holds`, () => {
      it('every native module of the production dependencies, whole', () => {
        const { unpacks } = packFilters(platform)
        const production = closure(Object.keys(pkg.dependencies))
        const native = [...production].filter(([dir]) => filesUnder(dir).some(isNative))
        expect(native.map(([, name]) => name)).toEqual(expect.arrayContaining(['@github/keytar', '@img/sharp-linux-x64', '@libsql/linux-x64-gnu']))
        for (const [dir, name] of native) {
          for (const file of filesUnder(dir)) expect(unpacks(file), `${name}: ${relative(ROOT, file)}`).toBe(true)
        }
        // The packages that load them, so a .node is found beside the JavaScript that asks for it.
        for (const name of ['libsql', 'sharp']) expect(unpacks(join(packageDir(name, ROOT)!, 'package.json')), name).toBe(true)
      })

      it('the library worker and everything it imports', () => {
        const { unpacks } = packFilters(platform)
        expect(unpacks(join(ROOT, 'out/main/library-worker.js'))).toBe(true)
        expect(unpacks(join(ROOT, 'out/main/index.js'))).toBe(false)
        for (const [dir, name] of closure(['libsql'])) {
          for (const file of filesUnder(dir)) expect(unpacks(file), `${name}: ${relative(ROOT, file)}`).toBe(true)
        }
      })
    })
  }
})

describe('the library worker in a packaged layout', () => {
  it('is looked for in app.asar.unpacked beside the main bundle', () => {
    expect(builtWorkerPath('/Applications/Atelier.app/Contents/Resources/app.asar/out/main')).toBe(
      '/Applications/Atelier.app/Contents/Resources/app.asar.unpacked/out/main/library-worker.js',
    )
    expect(builtWorkerPath('C:\\Program Files\\Atelier\\resources\\app.asar\\out\\main')).toMatch(/^C:\\Program Files\\Atelier\\resources\\app\.asar\.unpacked\\out\\main[\\/]library-worker\.js$/)
    expect(builtWorkerPath('/opt/Atelier/resources/app.asar')).toBe('/opt/Atelier/resources/app.asar.unpacked/library-worker.js')
    // Unpackaged (electron . / the harness): the bundle's own folder, untouched; no false match on similar names.
    expect(builtWorkerPath('/work/atelier/out/main')).toBe('/work/atelier/out/main/library-worker.js')
    expect(builtWorkerPath('/work/my-app.asarx/out/main')).toBe('/work/my-app.asarx/out/main/library-worker.js')
  })

  describe.skipIf(!BUILT)('started from the files asarUnpack selects, and nothing else', () => {
    let resources: string
    beforeAll(() => {
      resources = mkdtempSync(join(tmpdir(), 'atelier-unpacked-'))
      const unpacked = join(resources, 'app.asar.unpacked')
      const { unpacks } = packFilters('linux')
      const candidates = [join(ROOT, 'out/main/library-worker.js'), ...[...closure(Object.keys(pkg.dependencies)).keys()].flatMap(filesUnder)]
      for (const file of candidates) {
        if (!unpacks(file) || !lstatSync(file).isFile()) continue
        const target = join(unpacked, relative(ROOT, file))
        mkdirSync(dirname(target), { recursive: true })
        cpSync(file, target)
      }
    })
    afterAll(() => rmSync(resources, { recursive: true, force: true }))

    it('opens the index read-only and answers a query', async () => {
      const mainDir = join(resources, 'app.asar', 'out', 'main') // what import.meta.url names in the packaged app
      const script = builtWorkerPath(mainDir)
      expect(statSync(script).isFile()).toBe(true)
      const dbPath = join(resources, 'library.db')
      // The worker opens read-only: make the file first with the unpacked libsql, as the app's main connection would.
      const Database = (await import(pathToFileURL(join(resources, 'app.asar.unpacked/node_modules/libsql/index.js')).href)).default as new (path: string) => {
        exec(sql: string): void
        close(): void
      }
      const db = new Database(dbPath)
      db.exec(`CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('from the unpacked worker')`)
      db.close()
      const worker = new Worker(script, { workerData: { path: dbPath } })
      try {
        const answer = await new Promise<unknown>((resolve, reject) => {
          worker.once('message', resolve)
          worker.once('error', reject)
          worker.postMessage({ id: 1, sql: 'SELECT x FROM t', params: {} })
        })
        expect(answer).toMatchObject({ id: 1, rows: [{ x: 'from the unpacked worker' }] })
      } finally {
        await worker.terminate()
      }
    })
  })
})

describe('afterPack: the fuses', () => {
  interface HookModule {
    default: (context: unknown) => Promise<void>
    applyFuses(context: unknown, fuses: unknown): Promise<void>
  }
  const loadHook = async () => (await import(pathToFileURL(join(ROOT, 'scripts/after-pack.mjs')).href)) as HookModule
  const { FuseV1Options, FuseVersion } = require('@electron/fuses') as { FuseV1Options: Record<string, number>; FuseVersion: { V1: string } }

  const context = (electronPlatformName: string, arch: number) => ({
    appOutDir: '/dist/out',
    electronPlatformName,
    arch,
    packager: { appInfo: { productFilename: 'Atelier' }, executableName: 'atelier' },
  })

  it('is the afterPack electron-builder resolves from the config', async () => {
    expect(config.afterPack).toBe('./scripts/after-pack.mjs')
    // electron-builder loads it in its own way (vitest's copy of the module is another instance): its default export.
    const hook = await resolveFunction('module', config.afterPack, 'afterPack', ROOT)
    expect([typeof hook, hook.name, hook.length]).toEqual(['function', 'afterPack', 1])
  })

  it('flips exactly the six release fuses on the packed binary of each platform', async () => {
    const { applyFuses } = await loadHook()
    const cases: [string, number, string, boolean][] = [
      ['linux', 1, '/dist/out/atelier', false],
      ['win32', 1, '/dist/out/Atelier.exe', false],
      ['darwin', 1, '/dist/out/Atelier.app', false],
      ['darwin', 3, '/dist/out/Atelier.app', true],
      ['darwin', 4, '/dist/out/Atelier.app', true],
      ['mas', 3, '/dist/out/Atelier.app', true],
    ]
    for (const [platform, arch, binary, resetAdHoc] of cases) {
      const calls: [string, Record<string, unknown>][] = []
      await applyFuses(context(platform, arch), { FuseV1Options, FuseVersion, flipFuses: async (path: string, options: Record<string, unknown>) => void calls.push([path, options]) })
      expect(calls, `${platform} ${arch}`).toEqual([
        [
          binary,
          {
            version: FuseVersion.V1,
            resetAdHocDarwinSignature: resetAdHoc,
            [FuseV1Options.RunAsNode!]: false,
            [FuseV1Options.EnableNodeOptionsEnvironmentVariable!]: false,
            [FuseV1Options.EnableNodeCliInspectArguments!]: false,
            [FuseV1Options.OnlyLoadAppFromAsar!]: true,
            [FuseV1Options.EnableCookieEncryption!]: true,
            [FuseV1Options.EnableEmbeddedAsarIntegrityValidation!]: true,
          },
        ],
      ])
      // Nothing else: LoadBrowserProcessSpecificV8Snapshot and GrantFileProtocolExtraPrivileges keep Electron's default.
      expect(Object.keys(calls[0]![1]).filter((k) => /^\d+$/.test(k))).toHaveLength(6)
    }
  })

  it('refuses to run against a fuses module that lacks one of them', async () => {
    const { applyFuses } = await loadHook()
    const { RunAsNode: _gone, ...fewer } = FuseV1Options
    await expect(applyFuses(context('linux', 1), { FuseV1Options: fewer, FuseVersion, flipFuses: async () => {} })).rejects.toThrow(/RunAsNode/)
  })
})
