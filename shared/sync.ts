// Beyond one machine (issue 13): pushing images to an Oxen repository, pulling a board back from one, and importing
// the account's generation history. Each runs in main as a task the renderer follows through `onSyncTask`.
import { z } from 'zod'
import { ImageIdsSchema } from './domain'

/** oxen-server's rule for repository and namespace names. */
const OXEN_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/
const NAME_RULE = 'must start with a letter or digit and use only letters, digits, "_", "." and "-" (at least 2 characters)'

export const RepoRefSchema = z
  .object({
    /** The account's own namespace when absent. */
    namespace: z.string().regex(OXEN_NAME, { error: `A namespace ${NAME_RULE}.` }).max(100).optional(),
    name: z.string().regex(OXEN_NAME, { error: `A repository name ${NAME_RULE}.` }).max(100),
  })
  .strict()
export type RepoRef = z.infer<typeof RepoRefSchema>

export const PushRequestSchema = z
  .object({
    repo: RepoRefSchema,
    /** Stated by the user: a repository created by this push is public (anyone can read it) or private. */
    isPublic: z.boolean(),
    message: z.string().trim().min(1, { error: 'Write a commit message.' }).max(500, { error: 'Keep the commit message under 500 characters.' }),
    /** A board (every image on it) or a selection. */
    source: z.union([z.object({ boardId: z.string().min(1) }).strict(), z.object({ imageIds: ImageIdsSchema }).strict()]),
  })
  .strict()
export type PushRequest = z.infer<typeof PushRequestSchema>

export const PullRequestSchema = z.object({ repo: RepoRefSchema }).strict()
export type PullRequest = z.infer<typeof PullRequestSchema>

export const SYNC_KINDS = ['push', 'pull', 'import'] as const
export const SYNC_STATES = ['running', 'done', 'failed', 'cancelled'] as const

export const SyncTaskSchema = z.object({
  id: z.string(),
  kind: z.enum(SYNC_KINDS),
  /** `namespace/repo` for a push or pull; "Oxen generation history" for an import. */
  target: z.string(),
  state: z.enum(SYNC_STATES),
  /** Files (push, pull) or generations (import) handled so far, of `total` when known. */
  done: z.int().nonnegative(),
  total: z.int().nonnegative().nullable(),
  /** What it did once done ("Sent 3 new images and the data frame; 12 were already there"), or why it stopped. */
  message: z.string().nullable(),
  /** The repository's page on Oxen (push, pull) once known. */
  url: z.string().nullable(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
})
export type SyncTask = z.infer<typeof SyncTaskSchema>
