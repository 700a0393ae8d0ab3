// In-memory Oxen repositories (API.md §10, §13): branches of committed files, commits, workspaces with staged
// files and data-frame rows, public/private visibility, and the path/name rules shared by the repo routes.
import { createHash, randomBytes } from 'node:crypto'
import type { User } from './generations'
import { bearerToken, HttpError } from './http'
import type { RequestContext } from './routes'

/** Largest upload accepted (the whole multipart body), for PUT …/file and workspace file adds alike. */
export const MAX_UPLOAD_BYTES = 30 * 1024 * 1024

export interface Commit {
  id: string
  parent_ids: string[]
  message: string
  author: string
  email: string
  timestamp: string
}

export interface StoredFile {
  bytes: Buffer
  contentType: string
  /** Hex digest of the bytes (32 characters, like Oxen's 128-bit content hashes). */
  hash: string
  commitId: string
}

export interface Branch {
  head: Commit
  files: Map<string, StoredFile>
}

/** A workspace: staged files (path → bytes) and staged rows (data-frame path → rows), applied by a commit. */
export interface Workspace {
  id: string
  branchName: string
  /** The branch head when it was created (or last committed); null on an empty repo. */
  baseCommitId: string | null
  files: Map<string, Buffer>
  rows: Map<string, Record<string, unknown>[]>
}

export interface Repo {
  namespace: string
  name: string
  description: string
  isPublic: boolean
  owner: User
  branches: Map<string, Branch>
  /** Every commit with its position in history (later = larger). */
  commits: Map<string, { commit: Commit; seq: number }>
  workspaces: Map<string, Workspace>
}

export class RepoStore {
  private readonly repos = new Map<string, Repo>()

  get(namespace: string, name: string): Repo | undefined {
    return this.repos.get(`${namespace}/${name}`)
  }

  /** Null when it already exists. */
  create(owner: User, namespace: string, name: string, description: string, isPublic: boolean): Repo | null {
    if (this.get(namespace, name)) return null
    const repo: Repo = {
      namespace,
      name,
      description,
      isPublic,
      owner,
      branches: new Map(),
      commits: new Map(),
      workspaces: new Map(),
    }
    this.repos.set(`${namespace}/${name}`, repo)
    return repo
  }
}

export function contentHash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32)
}

export function contentTypeOf(bytes: Buffer, path: string): string {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png'
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg'
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'image/webp'
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif'
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase()
  const byExt: Record<string, string> = {
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    webp: 'image/webp',
    gif: 'image/gif',
    json: 'application/json',
    jsonl: 'application/jsonl',
    ndjson: 'application/x-ndjson',
    parquet: 'application/vnd.apache.parquet',
    txt: 'text/plain',
    md: 'text/markdown',
    csv: 'text/csv',
    tsv: 'text/tab-separated-values',
  }
  return (ext && byExt[ext]) || 'application/octet-stream'
}

/** A relative path without empty, `.` or `..` segments. */
export function cleanPath(path: string): string {
  const segments = path.split('/')
  if (segments.some((s) => s === '' || s === '.' || s === '..'))
    throw new HttpError(400, 'invalid_params', `Invalid file path: ${path}`)
  return segments.join('/')
}

/** Like oxen-server's sanitize of multipart file names: no directories, no control characters. */
export function cleanFilename(name: string | null): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? ''
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim()
  return clean === '' || clean === '.' || clean === '..' ? randomBytes(16).toString('hex') : clean
}

function repoNotFound(namespace: string, name: string): HttpError {
  return new HttpError(404, 'resource_not_found', `Repository not found: ${namespace}/${name}`)
}

/** A repo the caller may write (params[0..1]): unknown and other users' repos look the same (404). */
export function ownRepo(ctx: RequestContext): Repo {
  const [namespace = '', name = ''] = ctx.params
  const repo = ctx.sim.repos.get(namespace, name)
  if (!repo || repo.owner.id !== ctx.user.id) throw repoNotFound(namespace, name)
  return repo
}

/**
 * A repo the caller may read (params[0..1]) on a route that takes no key: public repos by anyone, private ones
 * only with the owner's key (no or unknown key → 401, another user's key → 404, like an unknown repo).
 */
export function readableRepo(ctx: RequestContext): Repo {
  const [namespace = '', name = ''] = ctx.params
  const repo = ctx.sim.repos.get(namespace, name)
  if (!repo) throw repoNotFound(namespace, name)
  if (repo.isPublic) return repo
  const user = ctx.sim.users.get(bearerToken(ctx.req) ?? '')
  if (!user) throw new HttpError(401, 'unauthenticated', 'Unauthenticated: this repository is private')
  if (user.id !== repo.owner.id) throw repoNotFound(namespace, name)
  return repo
}

/** The branch a commit goes to: the existing one, or none yet on an empty repo (the commit creates it). */
export function targetBranch(repo: Repo, branchName: string): Branch | undefined {
  const branch = repo.branches.get(branchName)
  if (!branch && repo.branches.size > 0)
    throw new HttpError(404, 'resource_not_found', `Branch not found: ${branchName}`)
  return branch
}

/** One commit of these files (path → bytes) onto the branch; creates the branch on an empty repo. */
export function commitFiles(
  repo: Repo,
  branchName: string,
  files: Map<string, Buffer>,
  meta: { message: string; author: string; email: string },
): Commit {
  const existing = targetBranch(repo, branchName)
  const commit: Commit = {
    id: randomBytes(16).toString('hex'),
    parent_ids: existing ? [existing.head.id] : [],
    message: meta.message,
    author: meta.author,
    email: meta.email,
    timestamp: new Date().toISOString(),
  }
  const next = new Map(existing?.files)
  for (const [path, bytes] of files)
    next.set(path, { bytes, contentType: contentTypeOf(bytes, path), hash: contentHash(bytes), commitId: commit.id })
  repo.branches.set(branchName, { head: commit, files: next })
  repo.commits.set(commit.id, { commit, seq: repo.commits.size })
  return commit
}
