// Oxen repositories as datasets (API.md §13): listing a folder, reading a file, and committing through a workspace
// (get or create one, add files to it, commit it). Each call is made once; the callers (sync/) decide what may be
// retried: the reads and the idempotent workspace calls may, the commit never. Every call goes through OxenClient,
// so the key goes only to the API origin.
import { AppFailure } from '../errors'
import { OxenHttpFailure, oxenErrorMessage, type OxenClient } from './client'
import { encodePath, multipartBody, repoFailure, requestWithin, segment, type OxenAccount } from './repos'

export interface RepoTarget {
  namespace: string
  name: string
}

/** One entry of a folder listing. */
export interface DirEntry {
  filename: string
  isDir: boolean
  size: number | null
  hash: string | null
}

export type CommitOutcome =
  | { kind: 'committed'; commitId: string | null }
  /** 409: the branch moved since the workspace was made; nothing was committed. */
  | { kind: 'conflict'; error: AppFailure }
  /** 400 no_changes: the workspace holds nothing to commit. */
  | { kind: 'no-changes' }
  /** A 5xx or a lost connection after sending: it may or may not have landed. */
  | { kind: 'unknown'; error: AppFailure }

const CALL_TIMEOUT_MS = 60_000
/** Generous: a 30 MB image over a slow uplink. */
const UPLOAD_TIMEOUT_MS = 5 * 60_000
const PAGE_SIZE = 1000
/** A listing that claims more pages than this is not believed (1,000,000 entries). */
const MAX_PAGES = 1000

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const repoBase = (repo: RepoTarget) => `/api/repos/${segment(repo.namespace)}/${segment(repo.name)}`
const label = (repo: RepoTarget) => `${repo.namespace}/${repo.name}`

async function readJson(res: Response, what: string): Promise<unknown> {
  try {
    return await res.json()
  } catch (error) {
    throw new AppFailure('unreachable', `${what}: Oxen’s answer was cut off or unreadable.`, { cause: error })
  }
}

/** GET /api/repos/{ns}/{repo}/dir/{branch}/{path}, every page; null when the folder (or the repo) does not exist. */
export async function listFolder(client: OxenClient, repo: RepoTarget, branch: string, path: string, signal?: AbortSignal): Promise<DirEntry[] | null> {
  const what = `Listing ${path || 'the top folder'} of ${label(repo)}`
  const entries: DirEntry[] = []
  for (let page = 1; page <= MAX_PAGES; page++) {
    const url = `${repoBase(repo)}/dir/${segment(branch)}/${encodePath(path)}?page=${page}&page_size=${PAGE_SIZE}`
    const res = await requestWithin(client, url, { method: 'GET', ...(signal ? { signal } : {}) }, CALL_TIMEOUT_MS, what)
    if (res.status === 404) {
      await res.body?.cancel()
      if (page === 1) return null
      break
    }
    if (!res.ok) throw await repoFailure(client, res, what)
    const body = await readJson(res, what)
    const list = isRecord(body) && Array.isArray(body.entries) ? body.entries : null
    if (!list) throw new AppFailure('oxen-error', `${what}: Oxen’s answer had no entries.`)
    for (const e of list) {
      if (!isRecord(e) || typeof e.filename !== 'string') continue
      entries.push({
        filename: e.filename,
        isDir: e.is_dir === true,
        size: typeof e.size === 'number' ? e.size : null,
        hash: typeof e.hash === 'string' ? e.hash : null,
      })
    }
    const totalPages = isRecord(body) && typeof body.total_pages === 'number' ? body.total_pages : 1
    if (page >= totalPages || list.length === 0) break
  }
  return entries
}

/** GET …/file/{branch}/{path} as bytes (small files: the data frame); null when it does not exist. */
export async function readRepoFile(client: OxenClient, repo: RepoTarget, branch: string, path: string, signal?: AbortSignal): Promise<Buffer | null> {
  const what = `Reading ${path} from ${label(repo)}`
  const url = `${repoBase(repo)}/file/${segment(branch)}/${encodePath(path)}`
  const res = await requestWithin(client, url, { method: 'GET', ...(signal ? { signal } : {}) }, CALL_TIMEOUT_MS, what)
  if (res.status === 404) {
    await res.body?.cancel()
    return null
  }
  if (!res.ok) throw await repoFailure(client, res, what)
  try {
    return Buffer.from(await res.arrayBuffer())
  } catch (error) {
    if (signal?.aborted) throw error
    throw new AppFailure('unreachable', `${what}: the download was interrupted.`, { cause: error })
  }
}

/** PUT …/workspaces/get_or_create: the same id answers the same workspace (staged files included). */
export async function getOrCreateWorkspace(client: OxenClient, repo: RepoTarget, branch: string, workspaceId: string, signal?: AbortSignal): Promise<string> {
  const what = `Opening a workspace on ${label(repo)}`
  const init: RequestInit = {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ branch_name: branch, workspace_id: workspaceId }),
    ...(signal ? { signal } : {}),
  }
  const res = await requestWithin(client, `${repoBase(repo)}/workspaces/get_or_create`, init, CALL_TIMEOUT_MS, what)
  if (!res.ok) throw await repoFailure(client, res, what)
  const body = await readJson(res, what)
  const workspace = isRecord(body) && isRecord(body.workspace) ? body.workspace : body
  const id = isRecord(workspace) && typeof workspace.id === 'string' ? workspace.id : null
  return id ?? workspaceId
}

/**
 * POST …/workspaces/{id}/files/{dir}: one file (multipart `file`, one Buffer) staged at `{dir}/{filename}`
 * (`dir` '' = the top folder). Adding the same path again replaces it, so a retry is harmless.
 */
export async function addWorkspaceFile(
  client: OxenClient,
  repo: RepoTarget,
  workspaceId: string,
  dir: string,
  file: { filename: string; contentType: string; bytes: Buffer },
  signal?: AbortSignal,
): Promise<void> {
  const what = `Sending ${dir ? `${dir}/` : ''}${file.filename} to ${label(repo)}`
  const { body, contentType } = multipartBody({}, { field: 'file', ...file })
  const url = `${repoBase(repo)}/workspaces/${segment(workspaceId)}/files/${encodePath(dir)}`
  const init: RequestInit = { method: 'POST', headers: { 'Content-Type': contentType }, body, ...(signal ? { signal } : {}) }
  const res = await requestWithin(client, url, init, UPLOAD_TIMEOUT_MS, what)
  if (!res.ok) throw await repoFailure(client, res, what)
  await res.body?.cancel()
}

/** POST …/workspaces/{id}/commit/{branch}, once: never retried here (the outcome says what is known). */
export async function commitWorkspace(
  client: OxenClient,
  repo: RepoTarget,
  workspaceId: string,
  branch: string,
  commit: { message: string; author: OxenAccount },
  signal?: AbortSignal,
): Promise<CommitOutcome> {
  const what = `Committing to ${label(repo)}`
  const init: RequestInit = {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: commit.message, author: commit.author.name, email: commit.author.email }),
    ...(signal ? { signal } : {}),
  }
  let res: Response
  try {
    res = await requestWithin(client, `${repoBase(repo)}/workspaces/${segment(workspaceId)}/commit/${segment(branch)}`, init, UPLOAD_TIMEOUT_MS, what)
  } catch (error) {
    if (signal?.aborted || !(error instanceof AppFailure) || error.code !== 'unreachable') throw error
    return { kind: 'unknown', error }
  }
  if (res.ok) {
    const body: unknown = await res.json().catch(() => null)
    const committed = isRecord(body) && isRecord(body.commit) ? body.commit : null
    return { kind: 'committed', commitId: committed && typeof committed.id === 'string' ? committed.id : null }
  }
  if (res.status >= 500) return { kind: 'unknown', error: await repoFailure(client, res, what) }
  if (res.status === 409) return { kind: 'conflict', error: await repoFailure(client, res, what) }
  if (res.status === 400) {
    const text = await res.text().catch(() => '')
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {
      // plain text: matched as it stands
    }
    if (/no[_ ]changes/i.test(text)) return { kind: 'no-changes' }
    throw new OxenHttpFailure('oxen-error', `${what} failed: ${oxenErrorMessage(body) ?? 'Oxen answered 400 Bad Request'}.`, 400)
  }
  throw await repoFailure(client, res, what)
}
