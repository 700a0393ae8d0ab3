// `npm run simulator -- --port 0 --api-key test-key-demo`: runs the Oxen simulator until SIGTERM/SIGINT.
// Prints exactly one stdout line, `Oxen simulator listening on http://127.0.0.1:<port>`, once ready.
import { parseArgs } from 'node:util'
import { faultHelp, faultTableMarkdown } from './fault-catalog'
import { InvalidFaultsError } from './faults'
import { startSimulator, type DeploymentStatus, type SchemaKey, type SchemaRevision, type SimulatorFaults } from './index'

const HELP = `Usage: tsx tools/oxen-simulator/cli.ts [options]

  --port <n>              port on 127.0.0.1 (default 0: a random free port)
  --api-key <key>         accepted Bearer key; repeat for more users (at least one)
  --schema seed|current   Seedream request schema revision (default seed)
  --schema-key <key>      json_request_schema (default) or request_schema
  --models-dir <dir>      model schema files (default ../shared/oxen/models beside the repo)
  --custom-model <state>  the custom model's deployment: running (default) or stopped
  --namespace <name>      the first key's namespace (default atelier-user)
  --queued-ms <ms>        time a generation stays queued (default 300)
  --processing-ms <ms>    time it stays processing (default 700)
  --result-ttl-ms <ms>    result URL lifetime (default 3600000)
  --keep-alive-ms <ms>    SSE keep-alive interval (default 15000)
  --fault <spec>          inject a fault for the whole run; repeatable (see Faults below)
  --private-repos         repos created without is_public are private (default: public)
  --history <n>           seed n past image generations (plus 2 failed, 1 video) for the first key
  --verbose               log each request (method, path, status) to stderr
  --faults-markdown       print the fault table as Markdown (the README's table) and exit
  --help                  show this help

Control: GET /__sim/stats, POST /__sim/drop-streams, GET|POST /__sim/faults, POST /__sim/history
  (POST /__sim/faults also takes {"named": ["<spec>", …]} with the specs below;
   POST /__sim/history {"count": n, "model"?, "expiredUrls"?, "failed"?, "nonImage"?, "days"?, "apiKey"?})

${faultHelp()}

Example: --fault rate-limit=3 --fault latency=50 --fault 'reset-after-read;times=1'`

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${HELP}\n`)
  process.exit(2)
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a whole number, got "${value}"`)
  return n
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined
  if (!(allowed as readonly string[]).includes(value)) fail(`--${name} must be one of ${allowed.join(', ')}`)
  return value as T
}

async function main(): Promise<void> {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        'api-key': { type: 'string', multiple: true },
        schema: { type: 'string' },
        'schema-key': { type: 'string' },
        'models-dir': { type: 'string' },
        'custom-model': { type: 'string' },
        namespace: { type: 'string' },
        'queued-ms': { type: 'string' },
        'processing-ms': { type: 'string' },
        'result-ttl-ms': { type: 'string' },
        'keep-alive-ms': { type: 'string' },
        fault: { type: 'string', multiple: true },
        'private-repos': { type: 'boolean' },
        history: { type: 'string' },
        verbose: { type: 'boolean' },
        'faults-markdown': { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }))
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error))
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`)
    return
  }
  if (values['faults-markdown']) {
    process.stdout.write(`${faultTableMarkdown()}\n`)
    return
  }
  const apiKeys = values['api-key'] ?? []
  if (apiKeys.length === 0) fail('Give at least one --api-key.')
  const faults: SimulatorFaults = { named: values.fault ?? [] }

  const simulator = await startSimulator({
    port: integer('port', values.port) ?? 0,
    apiKeys,
    namespace: values.namespace,
    schemaRevision: oneOf<SchemaRevision>('schema', values.schema, ['seed', 'current']),
    schemaKey: oneOf<SchemaKey>('schema-key', values['schema-key'], ['json_request_schema', 'request_schema']),
    modelsDir: values['models-dir'],
    customModelDeployment: oneOf<DeploymentStatus>('custom-model', values['custom-model'], ['running', 'stopped']),
    queuedMs: integer('queued-ms', values['queued-ms']),
    processingMs: integer('processing-ms', values['processing-ms']),
    resultTtlMs: integer('result-ttl-ms', values['result-ttl-ms']),
    keepAliveMs: integer('keep-alive-ms', values['keep-alive-ms']),
    faults,
    reposPublicByDefault: !values['private-repos'],
    history: values.history === undefined ? undefined : { count: integer('history', values.history) ?? 0 },
    log: values.verbose ? (line) => process.stderr.write(`${line}\n`) : undefined,
  })
  process.stdout.write(`Oxen simulator listening on ${simulator.baseUrl}\n`)

  const stop = (): void => {
    void simulator.close().then(() => process.exit(0))
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

main().catch((error: unknown) => {
  if (error instanceof InvalidFaultsError) fail(`Bad --fault: ${error.message.replace(/^Invalid faults: (named\.\d+: )?/, '')}`)
  process.stderr.write(`Oxen simulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
