// npm run harness -- --data-dir <dir> [--port <n>] [--oxen-url <url>] [--keychain-service <name>]
import { homedir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { CRASH_POINTS, type CrashPoint } from '../../electron/services/checkpoint'
import { startHarness } from './server'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5417' },
    'data-dir': { type: 'string' },
    'oxen-url': { type: 'string' },
    'keychain-service': { type: 'string' },
    'poll-ms': { type: 'string' },
    'crash-at': { type: 'string' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})

if (values.help) {
  console.log(`Atelier browser harness: the real services in Node, the renderer in your browser.
  --port <n>                 port on 127.0.0.1 (default 5417; 0 = any free port)
  --data-dir <dir>           library, settings and logs (default ~/.local/share/atelier-harness)
  --oxen-url <url>           Oxen API base URL for this run (default: the saved setting, https://hub.oxen.ai)
  --keychain-service <name>  keychain service name for the API key (default "Atelier")
  --poll-ms <n>              poll interval while the event stream is down (default 3000)
  --verbose                  log at debug level too, and echo the log to stderr
  --crash-at <point>         crash tests only: SIGKILL itself at ${CRASH_POINTS.join(' | ')}`)
  process.exit(0)
}

const dataDir = values['data-dir'] ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local/share'), 'atelier-harness')
const pollMs = values['poll-ms'] ? Number(values['poll-ms']) : undefined
const crashAt = values['crash-at']
if (crashAt !== undefined && !(CRASH_POINTS as readonly string[]).includes(crashAt)) {
  console.error(`--crash-at must be one of ${CRASH_POINTS.join(', ')}`)
  process.exit(2)
}
const harness = await startHarness({
  port: Number(values.port),
  dataDir,
  ...(values['oxen-url'] ? { oxenUrl: values['oxen-url'] } : {}),
  ...(values['keychain-service'] ? { keychainService: values['keychain-service'] } : {}),
  ...(pollMs ? { timing: { pollIntervalMs: pollMs, retryBaseMs: Math.min(500, pollMs) } } : {}),
  verbose: values.verbose,
  ...(crashAt ? { crashAt: crashAt as CrashPoint } : {}),
})
console.log(`Atelier harness: ${harness.url}`)

let closing = false
const shutdown = () => {
  if (closing) return
  closing = true
  void harness.close().finally(() => process.exit(0))
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
