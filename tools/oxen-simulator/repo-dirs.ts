// GET /api/repos/{ns}/{repo}/dir/{branch}/{path}: one page of a folder (API.md §13; the entry shape follows
// oxen-server's MetadataEntry: filename, is_dir, size, hash, data_type, mime_type, latest_commit). Sorted dirs
// first, then by name. Public repos: no key; private ones: the owner's key.
import { createHash } from 'node:crypto'
import { HttpError, sendJson } from './http'
import { cleanPath, readableRepo, type Commit, type Repo, type StoredFile } from './repo-store'
import type { RequestContext } from './routes'

const TABULAR = new Set(['csv', 'tsv', 'jsonl', 'ndjson', 'json', 'parquet', 'arrow'])

function dataType(path: string, contentType: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? ''
  if (contentType.startsWith('image/')) return 'image'
  if (TABULAR.has(ext)) return 'tabular'
  if (contentType.startsWith('text/')) return 'text'
  return 'binary'
}

interface Node {
  name: string
  /** Files under this folder (path → file), or the one file. */
  files: [string, StoredFile][]
  isDir: boolean
}

function entry(repo: Repo, node: Node): Record<string, unknown> {
  const latest = node.files
    .map(([, f]) => repo.commits.get(f.commitId))
    .reduce<{ commit: Commit; seq: number } | undefined>((best, c) => (c && (!best || c.seq > best.seq) ? c : best), undefined)
  const commit = latest?.commit ?? null
  const common = { filename: node.name, is_dir: node.isDir, latest_commit: commit, last_commit: commit }
  if (node.isDir) {
    const hash = createHash('sha256')
    for (const [path, file] of [...node.files].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`${path}\0${file.hash}\n`)
    return {
      ...common,
      size: node.files.reduce((sum, [, f]) => sum + f.bytes.length, 0),
      hash: hash.digest('hex').slice(0, 32),
      data_type: 'dir',
      mime_type: 'inode/directory',
      extension: '',
    }
  }
  const [path, file] = node.files[0]!
  return {
    ...common,
    size: file.bytes.length,
    hash: file.hash,
    data_type: dataType(path, file.contentType),
    mime_type: file.contentType,
    extension: /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '',
  }
}

function pageParam(value: string | null, fallback: number, max: number): number {
  const n = Number.parseInt(value ?? '', 10)
  return Math.min(max, Math.max(1, Number.isFinite(n) ? n : fallback))
}

export function listDir(ctx: RequestContext): void {
  const repo = readableRepo(ctx)
  const branchName = ctx.params[2] ?? ''
  const raw = (ctx.params[3] ?? '').replace(/^\/+|\/+$/g, '')
  const dir = raw === '' ? '' : cleanPath(raw)
  const branch = repo.branches.get(branchName)
  if (!branch) throw new HttpError(404, 'resource_not_found', `Branch not found: ${branchName}`)
  const prefix = dir === '' ? '' : `${dir}/`
  const inside = [...branch.files].filter(([path]) => path.startsWith(prefix))
  if (inside.length === 0) throw new HttpError(404, 'resource_not_found', `Directory not found: ${dir}`)

  const children = new Map<string, Node>()
  for (const [path, file] of inside) {
    const rest = path.slice(prefix.length)
    const slash = rest.indexOf('/')
    const name = slash === -1 ? rest : rest.slice(0, slash)
    const key = `${slash === -1 ? 'f' : 'd'}:${name}`
    const node = children.get(key) ?? { name, files: [], isDir: slash !== -1 }
    node.files.push([path, file])
    children.set(key, node)
  }
  const sorted = [...children.values()].sort((a, b) =>
    a.isDir !== b.isDir ? (a.isDir ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  )
  const query = ctx.url.searchParams
  const pageSize = pageParam(query.get('page_size'), 100, 1000)
  const page = pageParam(query.get('page'), 1, Number.MAX_SAFE_INTEGER)
  sendJson(ctx.res, 200, {
    status: 'success',
    status_message: 'resource_found',
    dir: entry(repo, { name: dir.split('/').pop() ?? '', files: inside, isDir: true }),
    entries: sorted.slice((page - 1) * pageSize, page * pageSize).map((node) => entry(repo, node)),
    page_number: page,
    page_size: pageSize,
    total_entries: sorted.length,
    total_pages: Math.max(1, Math.ceil(sorted.length / pageSize)),
  })
}
