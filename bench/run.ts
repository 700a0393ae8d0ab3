// npm run bench: every benchmark, figures and ratios measured in one run.
import { libraryBenchmarks } from './library'
import { libraryScaleBenchmarks } from './library-1m'
import { pipelineBenchmarks } from './pipeline'
import { resultsFigures } from './results-browser'
import { libraryBrowserAtScale } from './library-1m-browser'

const results: Record<string, Record<string, string | number>> = {}
Object.assign(results, await pipelineBenchmarks())
Object.assign(results, await libraryBenchmarks())
results['Results in Chromium through the harness (15 images)'] = await resultsFigures()
Object.assign(results, await libraryBrowserAtScale())
Object.assign(results, await libraryScaleBenchmarks())
for (const [name, figures] of Object.entries(results)) {
  console.log(`\n## ${name}`)
  for (const [label, value] of Object.entries(figures)) console.log(`${label.padEnd(52)} ${value}`)
}
