// npm run bench: every benchmark, figures and ratios measured in one run.
import { libraryBenchmarks } from './library'
import { pipelineBenchmarks } from './pipeline'

const results: Record<string, Record<string, string | number>> = {}
Object.assign(results, await pipelineBenchmarks())
Object.assign(results, await libraryBenchmarks())
for (const [name, figures] of Object.entries(results)) {
  console.log(`\n## ${name}`)
  for (const [label, value] of Object.entries(figures)) console.log(`${label.padEnd(52)} ${value}`)
}
