// Workspaces (API.md §13; paths and shapes from oxen-server's controllers/workspaces*): get_or_create, staging
// files (multipart) and data-frame rows (one JSON object), and the commit that applies them onto a branch.
// The owner's key is needed for all of them; other users' repos look unknown (404).
import { randomUUID } from 'node:crypto'
import { HttpError, readJsonObject, sendError, sendJson, sendProxyPage } from './http'
import { readUpload } from './repos'
import { cleanFilename, cleanPath, commitFiles, ownRepo, targetBranch, type Repo, type Workspace } from './repo-store'
import type { RequestContext } from './routes'

/** Data frames rows can be staged into, by extension: JSON Lines, or a JSON array. */
const ROW_FORMATS: Record<string, 'lines' | 'array'> = { jsonl: 'lines', ndjson: 'lines', json: 'array' }

function rowFormat(path: string): 'lines' | 'array' {
  const format = ROW_FORMATS[/\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '']
  if (!format)
    throw new HttpError(400, 'invalid_params', `Cannot add rows to ${path}: the simulator stages rows for .jsonl, .ndjson and .json data frames only`)
  return format
}

function workspaceOf(ctx: RequestContext, repo: Repo): Workspace {
  const id = ctx.params[2] ?? ''
  const workspace = repo.workspaces.get(id)
  if (!workspace) throw new HttpError(404, 'resource_not_found', `Workspace not found: ${id}`)
  return workspace
}

function workspaceView(repo: Repo, workspace: Workspace): Record<string, unknown> {
  const base = workspace.baseCommitId === null ? null : (repo.commits.get(workspace.baseCommitId)?.commit ?? null)
  return { id: workspace.id, name: null, branch_name: workspace.branchName, commit: base }
}

/** PUT …/workspaces/get_or_create {branch_name, workspace_id}: the same id answers the same workspace. */
export async function getOrCreateWorkspace(ctx: RequestContext): Promise<void> {
  const repo = ownRepo(ctx)
  const body = await readJsonObject(ctx.req)
  const { branch_name: branchName, workspace_id: id } = body
  if (typeof branchName !== 'string' || branchName === '' || typeof id !== 'string' || id === '')
    throw new HttpError(400, 'invalid_params', 'branch_name and workspace_id are required strings')
  const existing = repo.workspaces.get(id)
  if (existing)
    return sendJson(ctx.res, 200, { status: 'success', status_message: 'resource_found', workspace: workspaceView(repo, existing) })
  const branch = repo.branches.get(branchName)
  if (!branch && repo.branches.size > 0)
    throw new HttpError(400, 'invalid_params', `Branch not found: ${branchName}. For non-empty repositories, create the branch first.`)
  const workspace: Workspace = { id, branchName, baseCommitId: branch?.head.id ?? null, files: new Map(), rows: new Map() }
  repo.workspaces.set(id, workspace)
  sendJson(ctx.res, 200, { status: 'success', status_message: 'resource_created', workspace: workspaceView(repo, workspace) })
}

/**
 * POST …/workspaces/{id}/files/{dir}: every `file` / `files[]` part (and any other part with a filename) is
 * staged at `{dir}/{filename}`; staging a path again replaces it.
 */
export async function addWorkspaceFiles(ctx: RequestContext): Promise<void> {
  const repo = ownRepo(ctx)
  const workspace = workspaceOf(ctx, repo)
  const dir = ctx.params[3]?.replace(/\/+$/, '') ?? ''
  const prefix = dir === '' ? '' : `${cleanPath(dir)}/`
  const parts = await readUpload(ctx, 'files')
  const staged = new Map<string, Buffer>()
  for (const part of parts) {
    if (part.name === 'file' || part.name === 'files[]' || part.filename !== null)
      staged.set(`${prefix}${cleanFilename(part.filename)}`, Buffer.from(part.data))
  }
  if (staged.size === 0)
    throw new HttpError(400, 'invalid_params', 'No file in the upload: send one or more "file" parts')
  for (const [path, bytes] of staged) workspace.files.set(path, bytes)
  const paths = [...staged.keys()]
  ctx.sim.stats.workspaceFilesAdded += paths.length
  ctx.sim.stats.workspaceAddedPaths.push(...paths.map((p) => `${repo.namespace}/${repo.name}/${p}`))
  sendJson(ctx.res, 200, { status: 'success', status_message: 'resource_created', paths })
}

/** Rows already in the data frame at `path` on the workspace's branch. */
function committedRows(repo: Repo, workspace: Workspace, path: string): number {
  const file = repo.branches.get(workspace.branchName)?.files.get(path)
  if (!file) return 0
  if (rowFormat(path) === 'lines') return file.bytes.toString('utf8').split('\n').filter((l) => l.trim() !== '').length
  try {
    const parsed: unknown = JSON.parse(file.bytes.toString('utf8'))
    return Array.isArray(parsed) ? parsed.length : 0
  } catch {
    return 0
  }
}

/** POST …/workspaces/{id}/data_frames/rows/resource/{path}: one JSON object (or `{data:{…}}`), staged. */
export async function addWorkspaceRow(ctx: RequestContext): Promise<void> {
  const repo = ownRepo(ctx)
  const workspace = workspaceOf(ctx, repo)
  const path = cleanPath(ctx.params[3] ?? '')
  rowFormat(path)
  const body = await readJsonObject(ctx.req)
  const data = body.data
  const row = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : body
  const rows = workspace.rows.get(path) ?? []
  rows.push(structuredClone(row))
  workspace.rows.set(path, rows)
  ctx.sim.stats.workspaceRowsAdded += 1
  const rowId = randomUUID()
  const height = committedRows(repo, workspace, path) + rows.length
  const width = Object.keys(row).length
  sendJson(ctx.res, 200, {
    status: 'success',
    status_message: 'resource_found',
    row_id: rowId,
    row_index: height - 1,
    data_frame: {
      source: { size: { height, width } },
      view: { size: { height: 1, width }, data: [{ _oxen_id: rowId, ...row }] },
    },
  })
}

/** The data frame at `path` with these rows appended (created when missing). */
function withRows(before: Buffer | undefined, path: string, rows: Record<string, unknown>[]): Buffer {
  if (rowFormat(path) === 'lines') {
    let text = before?.toString('utf8') ?? ''
    if (text !== '' && !text.endsWith('\n')) text += '\n'
    return Buffer.from(`${text}${rows.map((r) => JSON.stringify(r)).join('\n')}\n`)
  }
  let list: unknown = []
  if (before) {
    try {
      list = JSON.parse(before.toString('utf8'))
    } catch {
      list = null
    }
  }
  if (!Array.isArray(list)) throw new HttpError(400, 'invalid_params', `Cannot add rows to ${path}: it is not a JSON array`)
  return Buffer.from(`${JSON.stringify([...(list as unknown[]), ...rows], null, 2)}\n`)
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw new HttpError(400, 'invalid_params', `${field} must be a string`)
  return value
}

/**
 * POST …/workspaces/{id}/commit/{branch} {message, author, email}: applies the staged files and rows in one
 * commit (creating the branch on an empty repo), then empties the workspace. Commit faults act here, after
 * the request was found valid.
 */
export async function commitWorkspace(ctx: RequestContext): Promise<void> {
  const repo = ownRepo(ctx)
  const workspace = workspaceOf(ctx, repo)
  const branchName = ctx.params[3] ?? ''
  const body = await readJsonObject(ctx.req)
  const message = optionalString(body, 'message')
  if (!message) throw new HttpError(400, 'invalid_params', 'message is required')
  const author = optionalString(body, 'author') || ctx.user.name
  const email = optionalString(body, 'email') || ctx.user.email
  const branch = targetBranch(repo, branchName)
  if (workspace.files.size === 0 && workspace.rows.size === 0)
    throw new HttpError(400, 'no_changes', 'No changes to commit')

  const changes = new Map(workspace.files)
  for (const [path, rows] of workspace.rows)
    changes.set(path, withRows(changes.get(path) ?? branch?.files.get(path)?.bytes, path, rows))

  const fault = ctx.sim.faults.commitOutcome()
  if (fault?.conflict)
    throw new HttpError(409, 'conflict', `Cannot commit workspace ${workspace.id}: the branch has moved since the workspace was created (${branchName})`)
  const apply = () => {
    const commit = commitFiles(repo, branchName, changes, { message, author, email })
    workspace.files.clear()
    workspace.rows.clear()
    workspace.baseCommitId = commit.id
    ctx.sim.stats.workspaceCommits += 1
    return commit
  }
  if (fault?.status !== undefined) {
    if (fault.afterApply) apply()
    if (fault.status === 502 || fault.status === 503) return sendProxyPage(ctx.res, fault.status)
    return sendError(ctx.res, fault.status, 'unknown_error', `Simulated error ${fault.status}`)
  }
  const commit = apply()
  sendJson(ctx.res, 200, { status: 'success', status_message: 'resource_created', commit })
}
