// Oxen repositories over HTTP (API.md §10, §13; shapes from the open-source oxen-server): POST /api/repos
// (`is_public`), PUT …/file/{branch}/{path} (multipart `file` or `files[]`, one commit per upload) and GET/HEAD
// …/file/{branch}/{path} (public repos: no key; private: the owner's key). State lives in repo-store.ts;
// workspaces in workspaces.ts, folder listings in repo-dirs.ts.
import sharp from 'sharp'
import { sendFile } from './downloads'
import { RESULT_REPO } from './generations'
import { HttpError, readBody, readJsonObject, sendJson } from './http'
import { multipartBoundary, parseMultipart, type FormPart } from './multipart'
import { cleanFilename, cleanPath, commitFiles, MAX_UPLOAD_BYTES, ownRepo, readableRepo } from './repo-store'
import type { RequestContext } from './routes'

export { MAX_UPLOAD_BYTES } from './repo-store'

// oxen-server's rule and message for repository and namespace names.
const VALID_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/

/** Reads a multipart body (≤ MAX_UPLOAD_BYTES, else 413 after reading it all); 400 when it is not one. */
export async function readUpload(ctx: RequestContext, what: string): Promise<FormPart[]> {
  const boundary = multipartBoundary(ctx.req.headers['content-type'])
  if (!boundary) throw new HttpError(400, 'invalid_params', `Upload the ${what} as multipart/form-data with a "file" field`)
  const body = await readBody(ctx.req, MAX_UPLOAD_BYTES, `The upload is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`)
  try {
    return parseMultipart(body, boundary)
  } catch (error) {
    throw new HttpError(400, 'invalid_params', `Multipart parse error: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** POST /api/repos {namespace, name, user:{name,email}, description, is_public}. */
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
  if (body.is_public !== undefined && typeof body.is_public !== 'boolean')
    throw new HttpError(400, 'invalid_params', 'is_public must be true or false')
  if (namespace !== ctx.user.username)
    throw new HttpError(403, 'forbidden', `You cannot create repositories in namespace ${namespace}`)
  const description = typeof body.description === 'string' ? body.description : ''
  const isPublic = body.is_public ?? ctx.sim.reposPublicByDefault
  // Every namespace already has the repo results are saved to.
  const repo = name === RESULT_REPO ? null : ctx.sim.repos.create(ctx.user, namespace, name, description, isPublic)
  if (!repo) throw new HttpError(409, 'conflict', 'Repo already exists.')
  ctx.sim.stats.reposCreated += 1
  sendJson(ctx.res, 200, {
    status: 'success',
    status_message: 'resource_created',
    repository: { namespace, name, description, is_public: isPublic, latest_commit: null },
  })
}

/** PUT /api/repos/{ns}/{repo}/file/{branch}/{path}: multipart `file` (at path) or `files[]` (into path). */
export async function putFile(ctx: RequestContext): Promise<void> {
  const repo = ownRepo(ctx)
  const branchName = ctx.params[2] ?? ''
  const target = cleanPath(ctx.params[3] ?? '')
  const parts = await readUpload(ctx, 'file')
  const text = (field: string) => {
    const part = parts.find((p) => p.name === field && p.filename === null)
    return part ? part.data.toString('utf8') : undefined
  }
  const uploads = new Map<string, Buffer>()
  for (const part of parts) {
    if (part.name === 'file') uploads.set(target, Buffer.from(part.data))
    if (part.name === 'files[]') uploads.set(`${target}/${cleanFilename(part.filename)}`, Buffer.from(part.data))
  }
  if (uploads.size === 0)
    throw new HttpError(400, 'invalid_params', 'No file in the upload: send a "file" (or "files[]") field')

  const commit = commitFiles(repo, branchName, uploads, {
    message: text('message') || `Auto-commit files to ${target}`,
    author: text('name') || ctx.user.name,
    email: text('email') || ctx.user.email,
  })
  ctx.sim.stats.uploads += uploads.size
  sendJson(ctx.res, 200, { status: 'success', status_message: 'resource_created', commit })
}

function dimension(value: string | null): number | undefined {
  const n = Number(value)
  return value !== null && Number.isInteger(n) && n > 0 && n <= 8192 ? n : undefined
}

/** GET/HEAD of an uploaded file; `?width=&height=` resize images to fit inside that box. */
export async function getFile(ctx: RequestContext): Promise<void> {
  const [, , branchName = '', path = ''] = ctx.params
  const repo = readableRepo(ctx)
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
