// The realistic search queries every library benchmark times (bench/library.ts at 100k, bench/library-1m.ts at 1M).
// A module of its own, so a benchmark that measures its process's memory does not load the browser benchmark's.
import type { LibraryQuery } from '../shared/domain'
import { SEED_WORDS } from '../test/fixtures/library-seed'

/** Realistic queries: as-you-type prefixes, one and two words, words combined with filters. */
export function queries(): LibraryQuery[] {
  const common = SEED_WORDS.slice(0, 12)
  const rare = SEED_WORDS.slice(-12)
  const typed: LibraryQuery[] = []
  for (const word of [...common.slice(0, 4), ...rare.slice(0, 4)]) for (let n = 1; n <= word.length; n++) typed.push({ text: word.slice(0, n) })
  return [
    ...typed,
    ...common.map((w, i) => ({ text: `${w} ${common[(i + 3) % common.length]}` })),
    ...rare.map((w) => ({ text: w, sort: 'oldest' as const })),
    { text: 'light', filters: { aspects: ['21:9'], sizes: ['4K'] } },
    { text: 'portrait', filters: { formats: ['jpeg'] } },
    { text: 'city night', filters: { starred: true } },
    { filters: { modelIds: ['bytedance-seedream-4'] } },
    { filters: { aspects: ['16:9'], formats: ['png'] } },
    { filters: { trash: true } },
  ]
}
