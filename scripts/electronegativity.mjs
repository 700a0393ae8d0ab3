// Electronegativity (@doyensec/electronegativity) over what ships in the app: electron/ (main, preload, services),
// shared/, the renderer's page and sources, package.json and the lockfile (for the Electron version). Tests, tools,
// the build output and node_modules are left out. Fails on any HIGH or MEDIUM finding that is not a reviewed false
// positive in .electronegativity-ignore.json (check + file + the reason), on an entry there that no longer matches
// anything, and on a file the scanner could not parse (it would go unchecked). Run by scripts/test.sh.
//   node scripts/electronegativity.mjs [--all]   (--all also prints LOW and INFORMATIONAL findings)
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const IGNORE_FILE = '.electronegativity-ignore.json'
const SHIPPED = ['electron', 'shared', 'renderer/index.html', 'renderer/src', 'package.json', 'package-lock.json']
const FAILING = new Set(['HIGH', 'MEDIUM'])
const showAll = process.argv.includes('--all')

const require = createRequire(import.meta.url)
const run = require('@doyensec/electronegativity')

const { ignore } = JSON.parse(readFileSync(join(ROOT, IGNORE_FILE), 'utf8'))
for (const entry of ignore) {
  if (!entry.check || !entry.file || !entry.reason) throw new Error(`${IGNORE_FILE}: every entry needs check, file and reason: ${JSON.stringify(entry)}`)
}

const stage = mkdtempSync(join(tmpdir(), 'atelier-electronegativity-'))
let result
try {
  for (const path of SHIPPED) cpSync(join(ROOT, path), join(stage, path), { recursive: true })
  // The scanner's own chatter (its translation and Electron-release downloads fail offline; that is fine).
  const { log, warn, error } = console
  console.log = console.warn = console.error = () => {}
  try {
    result = await run({ input: stage, isRelative: true, isVerbose: false, customScan: [], excludeFromScan: [], parserPlugins: [] }, false)
  } finally {
    Object.assign(console, { log, warn, error })
  }
} finally {
  rmSync(stage, { recursive: true, force: true })
}

const fileOf = (issue) => (issue.file === 'N/A' ? 'N/A' : relative(stage, join(stage, issue.file)).replaceAll('\\', '/'))
const findings = result.issues.map((issue) => ({
  check: issue.id,
  file: fileOf(issue),
  line: `${issue.location.line}:${issue.location.column}`,
  severity: issue.severity.name,
  confidence: issue.confidence.name,
  description: issue.description,
}))
const unparsed = result.errors.filter((e) => !e.tolerable)

const ignored = (f) => ignore.find((entry) => entry.check === f.check && entry.file === f.file)
const failing = findings.filter((f) => FAILING.has(f.severity) && !ignored(f))
const stale = ignore.filter((entry) => !findings.some((f) => f.check === entry.check && f.file === entry.file))

const line = (f) => `  ${f.severity.padEnd(13)} ${f.check.padEnd(42)} ${f.file}:${f.line}  (${f.confidence}) ${f.description}`
console.log(`electronegativity: ${result.globalChecks + result.atomicChecks} checks over ${SHIPPED.join(', ')}`)
for (const f of findings) {
  if (FAILING.has(f.severity) && ignored(f)) console.log(`${line(f)}\n    reviewed false positive (${IGNORE_FILE})`)
  else if (showAll && !FAILING.has(f.severity)) console.log(line(f))
}
for (const f of failing) console.error(`FAIL${line(f)}`)
for (const entry of stale) console.error(`FAIL  ${IGNORE_FILE}: ${entry.check} in ${entry.file} matches no finding any more; remove it`)
for (const e of unparsed) console.error(`FAIL  could not parse ${relative(stage, e.file)}: ${e.message}`)
const problems = failing.length + stale.length + unparsed.length
console.log(problems ? `electronegativity: ${problems} problem(s)` : 'electronegativity: no HIGH or MEDIUM finding beyond the reviewed false positives')
process.exit(problems ? 1 : 0)
