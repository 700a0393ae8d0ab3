// npm run demo: the Oxen simulator and the harness together, with a demo key already saved, so the
// whole app can be tried without an Oxen account (or an Electron binary).
import { homedir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { faultHelp, startSimulator } from '../oxen-simulator/index'
import { startHarness } from './server'

const DEMO_KEY = 'demo-key-atelier-simulator'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5417' },
    'data-dir': { type: 'string' },
    schema: { type: 'string', default: 'seed' },
    'processing-ms': { type: 'string', default: '2500' },
    /** Simulator faults for the whole run, to watch the app cope: --fault rate-limit=2 --fault sse-drop-after=1 */
    fault: { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', default: false },
  },
})

if (values.help) {
  console.log(`npm run demo -- [--port 5417] [--data-dir <dir>] [--schema seed|current] [--processing-ms 2500] [--fault <name>[=<value>]]…

Faults (repeatable; the simulator's own list):
${faultHelp()}`)
  process.exit(0)
}

const simulator = await startSimulator({
  apiKeys: [DEMO_KEY],
  schemaRevision: values.schema === 'current' ? 'current' : 'seed',
  queuedMs: 600,
  processingMs: Number(values['processing-ms']),
  ...(values.fault.length > 0 ? { faults: { named: values.fault } } : {}),
})
const dataDir = values['data-dir'] ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local/share'), 'atelier-demo')
const harness = await startHarness({
  port: Number(values.port),
  dataDir,
  oxenUrl: simulator.baseUrl,
  // A keychain entry of its own, so the demo never touches a real Oxen key.
  keychainService: 'Atelier-demo',
})
const status = await harness.services.secrets.setKey(DEMO_KEY)

console.log(`Oxen simulator: ${simulator.baseUrl} (demo key "${DEMO_KEY}", ${status.state === 'stored' ? 'saved in the keychain' : 'kept for this run only'})`)
console.log(`Library: ${dataDir}`)
if (values.fault.length > 0) console.log(`Simulator faults: ${values.fault.join(', ')}`)
console.log(`Open Atelier: ${harness.url}`)

const shutdown = () => void Promise.all([harness.close(), simulator.close()]).finally(() => process.exit(0))
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
