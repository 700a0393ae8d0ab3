// Starts the real simulator and harness as child processes (so a test can stop, kill and restart them)
// and reads the URL each prints.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const ROOT = join(import.meta.dirname, '../..')
const TSX = join(ROOT, 'node_modules/.bin/tsx')

export interface Proc {
  url: string
  child: ChildProcess
  output: () => string
  stop(signal?: NodeJS.Signals): Promise<void>
}

export function startProcess(script: string, args: string[], urlPattern: RegExp, timeoutMs = 30_000): Promise<Proc> {
  const child = spawn(TSX, [join(ROOT, script), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } })
  let out = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs)
    const onData = (chunk: Buffer) => {
      out += chunk.toString()
      const match = out.match(urlPattern)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve({
          url: match[1],
          child,
          output: () => out,
          stop: (signal = 'SIGTERM') =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done()
              child.once('exit', () => done())
              child.kill(signal)
            }),
        })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${script} exited with ${code} before printing its URL:\n${out}`))
    })
  })
}

export function startSimulator(apiKey: string, extra: string[] = []): Promise<Proc> {
  return startProcess(
    'tools/oxen-simulator/cli.ts',
    ['--port', '0', '--api-key', apiKey, '--queued-ms', '150', '--processing-ms', '600', ...extra],
    /listening on (http:\/\/127\.0\.0\.1:\d+)/,
  )
}

export function startHarness(opts: { dataDir: string; oxenUrl: string; keychainService: string }): Promise<Proc> {
  return startProcess(
    'tools/harness/cli.ts',
    ['--port', '0', '--data-dir', opts.dataDir, '--oxen-url', opts.oxenUrl, '--keychain-service', opts.keychainService, '--poll-ms', '500'],
    /Atelier harness: (http:\/\/127\.0\.0\.1:\d+\/)/,
  )
}

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix))
export const randomTag = () => randomBytes(6).toString('hex')

/** Every file under `dir` whose bytes contain `needle` (as UTF-8 or UTF-16LE). */
export function filesContaining(dir: string, needle: string): string[] {
  const patterns = [Buffer.from(needle, 'utf8'), Buffer.from(needle, 'utf16le')]
  const hits: string[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name)
      if (statSync(path).isDirectory()) walk(path)
      else {
        const bytes = readFileSync(path)
        if (patterns.some((p) => bytes.includes(p))) hits.push(path)
      }
    }
  }
  walk(dir)
  return hits
}

/** Lists every file under `dir` (relative paths), for assertions about what the app wrote. */
export function listFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name)
      if (statSync(path).isDirectory()) walk(path, join(rel, name))
      else out.push(join(rel, name))
    }
  }
  walk(dir, '')
  return out
}
