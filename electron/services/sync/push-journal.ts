// A push's journal: `<stateDir>/push-<hash of ns/repo>.json`, written whole to a temporary file and renamed over
// the old one (crash-safe) before the push starts and after each file is staged. A push cut off by a crash or a
// dropped connection resumes from it: the same workspace (its id is in the journal) already holds the staged files,
// so they are not sent again. Deleted when the push ends (committed, nothing to send, cancelled, refused).
import { createHash, randomUUID } from 'node:crypto'
import { readFileSync, readdirSync, rmSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { writeFileAtomic } from '../write-atomic'

export const PushJournalSchema = z.object({
  version: z.literal(1),
  namespace: z.string().min(1),
  repo: z.string().min(1),
  isPublic: z.boolean(),
  message: z.string(),
  /** The images being pushed (a board is resolved to its images when the push starts). */
  imageIds: z.array(z.string()),
  /** The workspace the files are staged in: the same id answers the same workspace. */
  workspaceId: z.string().min(1),
  /** Repository paths staged in that workspace so far (`images/<id>.<ext>`, `images.jsonl`). */
  staged: z.array(z.string()),
  /** SHA-256 of the data frame as staged (it changes when ratings do): restaged when the frame differs. */
  frameSha256: z.string().nullable(),
  /** `staging` until every file is in; `committing` once the commit was sent (its outcome unknown until it answers). */
  phase: z.enum(['staging', 'committing']),
  startedAt: z.number(),
})
export type PushJournal = z.infer<typeof PushJournalSchema>

const PREFIX = 'push-'

export function journalFile(stateDir: string, namespace: string, repo: string): string {
  const hash = createHash('sha256').update(`${namespace}/${repo}`).digest('hex').slice(0, 24)
  return join(stateDir, `${PREFIX}${hash}.json`)
}

export function newJournal(fields: Pick<PushJournal, 'namespace' | 'repo' | 'isPublic' | 'message' | 'imageIds'>): PushJournal {
  return { version: 1, ...fields, workspaceId: randomUUID(), staged: [], frameSha256: null, phase: 'staging', startedAt: Date.now() }
}

/** Writes the journal whole, then renames it into place: a crash leaves the old one or the new one, never half. */
export async function saveJournal(stateDir: string, journal: PushJournal): Promise<void> {
  await writeFileAtomic(journalFile(stateDir, journal.namespace, journal.repo), JSON.stringify(journal))
}

export async function deleteJournal(stateDir: string, namespace: string, repo: string): Promise<void> {
  await rm(journalFile(stateDir, namespace, repo), { force: true })
}

/** A journal file's push, or null when it is missing or unreadable. */
function readJournalFile(file: string): PushJournal | null {
  try {
    const parsed = PushJournalSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
    return parsed.success ? parsed.data : null
  } catch {
    return null // missing, or not JSON: a push that never journaled anything to resume
  }
}

export async function loadJournal(stateDir: string, namespace: string, repo: string): Promise<PushJournal | null> {
  return readJournalFile(journalFile(stateDir, namespace, repo))
}

/** Every interrupted push in `stateDir`, oldest first; unreadable journals are removed. */
export function listJournals(stateDir: string): PushJournal[] {
  let names: string[]
  try {
    names = readdirSync(stateDir)
  } catch {
    return [] // no state folder yet: nothing was ever pushed
  }
  const journals: PushJournal[] = []
  for (const name of names) {
    if (!name.startsWith(PREFIX) || !name.endsWith('.json')) continue // a `.tmp` left by a crash mid-write: the journal before it stands
    const file = join(stateDir, name)
    const journal = readJournalFile(file)
    if (journal && file === journalFile(stateDir, journal.namespace, journal.repo)) journals.push(journal)
    else rmSync(file, { force: true })
  }
  return journals.sort((a, b) => a.startedAt - b.startedAt)
}
