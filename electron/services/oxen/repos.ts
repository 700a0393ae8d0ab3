// Oxen repository calls used to host reference images (API.md §10): who the key belongs to (and the credit balance
// Oxen tells with it), creating a repo, and uploading one file. Workspaces, folder listings and file reads (pushing
// and pulling boards, API.md §13) are in workspaces.ts. Every call goes through OxenClient, so the key goes only to the API origin.
import { randomBytes } from 'node:crypto'
import { AppFailure } from '../errors'
import { OxenHttpFailure, type OxenClient } from './client'

export interface OxenAccount {
  /** The user's namespace (username): where repos are created. */
  namespace: string
  /** Commit author fields for uploads. */
  name: string
  email: string
}

const REPO_TIMEOUT_MS = 30_000
/** Generous: a 30 MB reference over a slow uplink. */
const UPLOAD_TIMEOUT_MS = 5 * 60_000

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined)
export const segment = (s: string) => encodeURIComponent(s)
/** A repo path's segments, each encoded: `images/a b.png` → `images/a%20b.png`. */
export const encodePath = (path: string) => path.split('/').map(segment).join('/')

/** GET /api/users/me (shape **U** in API.md §11: `{user:{username,…}}` or the user object itself). */
export async function currentAccount(client: OxenClient): Promise<OxenAccount> {
  const body = await client.getCurrentUser()
  const user = isRecord(body.user) ? body.user : body
  const namespace = str(user.username) ?? str(user.namespace)
  if (!namespace) throw new AppFailure('oxen-error', 'Oxen did not say which namespace your account uses')
  return { namespace, name: str(user.name) ?? namespace, email: str(user.email) ?? `${namespace}@users.noreply.oxen.ai` }
}

/**
 * The credit balance in USD from GET /api/users/me, where it says one: undocumented (API.md §13, seen in one
 * third-party client), so a number or numeric string under `credits`, `credit_balance` or `balance`, else null.
 */
export async function creditBalance(client: OxenClient): Promise<number | null> {
  const body = await client.getCurrentUser()
  const user = isRecord(body.user) ? body.user : body
  for (const value of [user.credits, user.credit_balance, user.balance]) {
    const usd = typeof value === 'string' && value.trim() ? Number(value) : value
    if (typeof usd === 'number' && Number.isFinite(usd)) return usd
  }
  return null
}

/** A request that gives up after `ms` (or when `init.signal` aborts); a timeout becomes an 'unreachable' AppFailure. */
export async function requestWithin(client: OxenClient, path: string, init: RequestInit, ms: number, what: string): Promise<Response> {
  const timeout = AbortSignal.timeout(ms)
  try {
    return await client.request(path, { ...init, signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout })
  } catch (error) {
    if (error instanceof AppFailure || init.signal?.aborted) throw error
    throw new AppFailure('unreachable', `${what} timed out after ${Math.round(ms / 1000)} s`, { cause: error })
  }
}

/**
 * A non-OK answer as an AppFailure. 401 is the key (code `unauthorized`); a 403 on repo calls is a missing
 * permission (e.g. a key that may not create repos), which is not a reason to ask for a new key. A 5xx is
 * named by its status only: its body is often a proxy's HTML page.
 */
export async function repoFailure(client: OxenClient, res: Response, what: string): Promise<AppFailure> {
  if (res.status === 403 || res.status >= 500) {
    await res.body?.cancel()
    const said = res.status === 403 ? 'Oxen refused it (403 forbidden)' : `Oxen answered ${res.status}`
    return new OxenHttpFailure('oxen-error', `${what} failed: ${said}`, res.status)
  }
  return client.failure(res, what)
}

export interface EnsureRepoOptions {
  /** Where to create it; the account's own namespace when absent. */
  namespace?: string
  /** Sent as `is_public` (API.md §13) when given; Oxen's default is unknown. */
  isPublic?: boolean
}

/** POST /api/repos; 409 means it already exists, which is what we want. */
export async function ensureRepo(client: OxenClient, account: OxenAccount, repo: string, description: string, options: EnsureRepoOptions = {}): Promise<void> {
  await createRepoIfMissing(client, account, repo, description, options)
}

/** ensureRepo, answering whether this call created the repository. */
export async function createRepoIfMissing(
  client: OxenClient,
  account: OxenAccount,
  repo: string,
  description: string,
  options: EnsureRepoOptions = {},
): Promise<'created' | 'exists'> {
  const namespace = options.namespace ?? account.namespace
  const what = `Creating the Oxen repository ${namespace}/${repo}`
  const init: RequestInit = {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      namespace,
      name: repo,
      description,
      user: { name: account.name, email: account.email },
      ...(options.isPublic === undefined ? {} : { is_public: options.isPublic }),
    }),
  }
  const res = await requestWithin(client, '/api/repos', init, REPO_TIMEOUT_MS, what)
  if (res.ok || res.status === 409) {
    await res.body?.cancel()
    return res.ok ? 'created' : 'exists'
  }
  throw await repoFailure(client, res, what)
}

/** The public-style file URL Oxen's generators are given: <base>/api/repos/<ns>/<repo>/file/<branch>/<path>. */
export function repoFileUrl(client: OxenClient, namespace: string, repo: string, branch: string, path: string): string {
  return client.url(`/api/repos/${segment(namespace)}/${segment(repo)}/file/${segment(branch)}/${encodePath(path)}`)
}

/** Form fields can't carry CR/LF or quotes unescaped. */
const formValue = (s: string) => s.replace(/[\r\n]+/g, ' ')
const formName = (s: string) => s.replace(/[\r\n"]/g, '_')

/** multipart/form-data as one Buffer: Electron copies streamed/FormData bodies quadratically (engineering.md). */
export function multipartBody(fields: Record<string, string>, file: { field: string; filename: string; contentType: string; bytes: Buffer }) {
  const boundary = `----atelier-${randomBytes(16).toString('hex')}`
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${formName(name)}"\r\n\r\n${formValue(value)}\r\n`))
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${formName(file.field)}"; filename="${formName(file.filename)}"\r\n` +
        `Content-Type: ${file.contentType}\r\n\r\n`,
    ),
    file.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  )
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** PUT one file at `path` on `main` (API.md §10, field `file`); returns the file's URL. Not retried. */
export async function uploadFile(
  client: OxenClient,
  account: OxenAccount,
  repo: string,
  path: string,
  file: { bytes: Buffer; contentType: string; message: string },
): Promise<string> {
  const filename = path.split('/').pop() ?? path
  const { body, contentType } = multipartBody(
    { name: account.name, email: account.email, message: file.message },
    { field: 'file', filename, contentType: file.contentType, bytes: file.bytes },
  )
  const apiPath = `/api/repos/${segment(account.namespace)}/${segment(repo)}/file/main/${encodePath(path)}`
  const what = `Uploading ${filename} to Oxen`
  const res = await requestWithin(client, apiPath, { method: 'PUT', headers: { 'Content-Type': contentType }, body }, UPLOAD_TIMEOUT_MS, what)
  if (!res.ok) throw await repoFailure(client, res, what)
  await res.body?.cancel()
  return repoFileUrl(client, account.namespace, repo, 'main', path)
}
