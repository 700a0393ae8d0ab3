// Oxen repositories, enough to supply reference images (API.md §10, from the open-source oxen-server):
// POST /api/repos, PUT …/file/{branch}/{path} (multipart `file` or `files[]`, one commit per upload) and
// GET …/file/{branch}/{path} (no key needed: the simulator's repos behave like public ones). In memory.
import { randomBytes } from 'node:crypto'
import sharp from 'sharp'
import { sendFile } from './downloads'
import { RESULT_REPO, type User } from './generations'
import { HttpError, readBody, readJsonObject, sendJson } from './http'
import { multipartBoundary, parseMultipart } from './multipart'
import type { RequestContext } from './routes'

/** Largest upload accepted (the whole multipart body). */
export const MAX_UPLOAD_BYTES = 30 * 1024 * 1024

export interface Commit {
  id: string
  parent_ids: string[]
  message: string
  author: string
  email: string
  timestamp: string
}

interface StoredFile {
  bytes: Buffer
  contentType: string
  commitId: string
}

interface Branch {
  head: Commit
  files: Map<string, StoredFile>
}

interface Repo {
  namespace: string
  name: string
  description: string
  owner: User
  branches: Map<string, Branch>
}

// oxen-server's rule and message for repository and namespace names.
const VALID_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/

export class RepoStore {
  private readonly repos = new Map<string, Repo>()

  get(namespace: string, name: string): Repo | undefined {
    return this.repos.get(`${namespace}/${name}`)
  }

  /** Null when it already exists. */
  create(owner: User, namespace: string, name: string, description: string): Repo | null {
    if (this.get(namespace, name)) return null
    const repo: Repo = { namespace, name, description, owner, branches: new Map() }
    this.repos.set(`${namespace}/${name}`, repo)
    return repo
  }
}

function contentTypeOf(bytes: Buffer, path: string): string {
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
    txt: 'text/plain',
    md: 'text/markdown',
    csv: 'text/csv',
  }
  return (ext && byExt[ext]) || 'application/octet-stream'
}

/** A relative path without empty, `.` or `..` segments. */
function cleanPath(path: string): string {
  const segments = path.split('/')
  if (segments.some((s) => s === '' || s === '.' || s === '..'))
    throw new HttpError(400, 'invalid_params', `Invalid file path: ${path}`)
  return segments.join('/')
}

/** Like oxen-server's sanitize of multipart file names: no directories, no control characters. */
function cleanFilename(name: string | null): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? ''
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim()
  return clean === '' || clean === '.' || clean === '..' ? randomBytes(16).toString('hex') : clean
}

/** A repo the caller may write: unknown and other users' repos look the same (404). */
function ownRepo(ctx: RequestContext): Repo {
  const [namespace = '', name = ''] = ctx.params
  const repo = ctx.sim.repos.get(namespace, name)
  if (!repo || repo.owner.id !== ctx.user.id)
    throw new HttpError(404, 'resource_not_found', `Repository not found: ${namespace}/${name}`)
  return repo
}

/** POST /api/repos {namespace, name, user:{name,email}, description}. */
export async function createRepo(ctx: RequestContext): Promise<void> {
  const body = await readJsonObject(ctx.req)
  const { namespace, name } = body
  if (typeof namespace !== 'string' || typeof name !== 'string')
    throw new HttpError(400, 'invalid_params', 'namespace and name are required')
  for (const value of [namespace, name]) {
    if (!VALID_NAME.test(value))
      throw new HttpError(
        400,
        'invalid_params',
        `Invalid repository or namespace name '${value}'. Must match [a-zA-Z0-9][a-zA-Z0-9_.-]+`,
      )
  }
  if (namespace !== ctx.user.username)
    throw new HttpError(403, 'forbidden', `You cannot create repositories in namespace ${namespace}`)
  const description = typeof body.description === 'string' ? body.description : ''
  // Every namespace already has the repo results are saved to.
  const repo = name === RESULT_REPO ? null : ctx.sim.repos.create(ctx.user, namespace, name, description)
  if (!repo) throw new HttpError(409, 'conflict', 'Repo already exists.')
  ctx.sim.stats.reposCreated += 1
  sendJson(ctx.res, 200, {
    status: 'success',
    status_message: 'resource_created',
    repository: { namespace, name, description, latest_commit: null },
  })
}

/** PUT /api/repos/{ns}/{repo}/file/{branch}/{path}: multipart `file` (at path) or `files[]` (into path). */
export async function putFile(ctx: RequestContext): Promise<void> {
  const repo = ownRepo(ctx)
  const branchName = ctx.params[2] ?? ''
  const target = cleanPath(ctx.params[3] ?? '')
  const boundary = multipartBoundary(ctx.req.headers['content-type'])
  if (!boundary)
    throw new HttpError(400, 'invalid_params', 'Upload the file as multipart/form-data with a "file" field')
  const body = await readBody(ctx.req, MAX_UPLOAD_BYTES, `The upload is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`)
  let parts
  try {
    parts = parseMultipart(body, boundary)
  } catch (error) {
    throw new HttpError(400, 'invalid_params', `Multipart parse error: ${error instanceof Error ? error.message : String(error)}`)
  }
  const text = (field: string) => {
    const part = parts.find((p) => p.name === field && p.filename === null)
    return part ? part.data.toString('utf8') : undefined
  }
  const uploads = parts.flatMap((part) => {
    if (part.name === 'file') return [{ path: target, bytes: Buffer.from(part.data) }]
    if (part.name === 'files[]') return [{ path: `${target}/${cleanFilename(part.filename)}`, bytes: Buffer.from(part.data) }]
    return []
  })
  if (uploads.length === 0)
    throw new HttpError(400, 'invalid_params', 'No file in the upload: send a "file" (or "files[]") field')

  const existing = repo.branches.get(branchName)
  if (!existing && repo.branches.size > 0)
    throw new HttpError(404, 'resource_not_found', `Branch not found: ${branchName}`)
  const commit: Commit = {
    id: randomBytes(16).toString('hex'),
    parent_ids: existing ? [existing.head.id] : [],
    message: text('message') || `Auto-commit files to ${target}`,
    author: text('name') || ctx.user.name,
    email: text('email') || ctx.user.email,
    timestamp: new Date().toISOString(),
  }
  const files = new Map(existing?.files)
  for (const upload of uploads) {
    files.set(upload.path, { bytes: upload.bytes, contentType: contentTypeOf(upload.bytes, upload.path), commitId: commit.id })
  }
  repo.branches.set(branchName, { head: commit, files })
  ctx.sim.stats.uploads += uploads.length
  sendJson(ctx.res, 200, { status: 'success', status_message: 'resource_created', commit })
}

function dimension(value: string | null): number | undefined {
  const n = Number(value)
  return value !== null && Number.isInteger(n) && n > 0 && n <= 8192 ? n : undefined
}

/** GET/HEAD of an uploaded file; `?width=&height=` resize images to fit inside that box. */
export async function getFile(ctx: RequestContext): Promise<void> {
  const [namespace = '', name = '', branchName = '', path = ''] = ctx.params
  const repo = ctx.sim.repos.get(namespace, name)
  if (!repo) throw new HttpError(404, 'resource_not_found', `Repository not found: ${namespace}/${name}`)
  const file = repo.branches.get(branchName)?.files.get(path)
  if (!file) throw new HttpError(404, 'resource_not_found', `File not found: ${path}`)
  let bytes = file.bytes
  const width = dimension(ctx.url.searchParams.get('width'))
  const height = dimension(ctx.url.searchParams.get('height'))
  if ((width || height) && file.contentType.startsWith('image/')) {
    // A file that does not decode is served as stored.
    bytes = await sharp(file.bytes)
      .rotate()
      .resize({ width, height, fit: 'inside' })
      .toBuffer()
      .catch(() => file.bytes)
  }
  await sendFile(ctx.req, ctx.res, bytes, { 'Content-Type': file.contentType, 'oxen-revision-id': file.commitId })
}
