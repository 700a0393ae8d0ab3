// What pushing and pulling are given (createRepoSync's deps).
import type { Checkpoint } from '../checkpoint'
import type { Library } from '../library/library'
import type { LibraryQueries } from '../library/query'
import type { Logger } from '../log'
import type { OxenClient } from '../oxen/client'
import type { RetryTiming } from './retry'

export interface RepoSyncDeps {
  /** The current client (it follows the Oxen URL in Settings). */
  client: () => OxenClient
  library: Library
  queries: LibraryQueries
  /** Where push journals live (created when needed), e.g. `<dataDir>/sync`. */
  stateDir: string
  log: Logger
  /** Images that entered the library (a pull). */
  onLibraryChanged: (imageIds: string[]) => void
  /** Crash tests: called with 'push-file-staged' after each staged file is journaled. */
  checkpoint?: Checkpoint
  /** Retries of reads and file adds; tests shrink them. */
  retry?: RetryTiming
}

/** The repository's page on Oxen: the server's base + `/{ns}/{repo}` (hub.oxen.ai/ns/repo). */
export function repoPageUrl(client: OxenClient, namespace: string, name: string): string {
  return client.url(`/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`)
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`
