// The Oxen simulator's repositories as datasets (API.md §10, §13) over real loopback HTTP: public/private repos,
// workspaces (get_or_create, file adds, data-frame rows, commit), folder listings, the workspace/commit faults,
// and seeded generation history for imports (expired list URLs, fresh single-record URLs).
import { createHash, randomBytes } from 'node:crypto'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Simulator } from '../../tools/oxen-simulator/index'
import { caller, simulatorsFor } from '../fixtures/simulator-http'

const KEY = 'test-key-simulator-repos'
const OTHER_KEY = 'test-key-simulator-repos-other'
const NS = 'atelier-user'

type Json = Record<string, unknown>

const { start } = simulatorsFor({ apiKeys: [KEY, OTHER_KEY], queuedMs: 20, processingMs: 40 })
const call = caller(KEY)

async function createRepo(sim: Simulator, name: string, extra: Json = {}, key: string | null = KEY) {
  return call(sim, '/api/repos', {
    method: 'POST',
    key,
    body: { namespace: NS, name, user: { name: 'Ada', email: 'ada@example.com' }, description: 'a dataset', ...extra },
  })
}

const repoPath = (repo: string) => `/api/repos/${NS}/${repo}`

async function workspace(sim: Simulator, repo: string, id: string, branch = 'main') {
  return call(sim, `${repoPath(repo)}/workspaces/get_or_create`, { method: 'PUT', body: { branch_name: branch, workspace_id: id } })
}

/** POST …/workspaces/{id}/files/{dir} with one `file` part per entry. */
async function addFiles(sim: Simulator, repo: string, id: string, dir: string, files: Record<string, Buffer>, key = KEY) {
  const form = new FormData()
  for (const [name, bytes] of Object.entries(files)) form.append('file', new Blob([new Uint8Array(bytes)]), name)
  const res = await fetch(`${sim.baseUrl}${repoPath(repo)}/workspaces/${id}/files/${dir}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}` },
    body: form,
  })
  return { status: res.status, body: (await res.json()) as Json }
}

async function commit(sim: Simulator, repo: string, id: string, message = 'Add files', branch = 'main') {
  return call(sim, `${repoPath(repo)}/workspaces/${id}/commit/${branch}`, {
    method: 'POST',
    body: { message, author: 'Ada', email: 'ada@example.com' },
  })
}

async function addRow(sim: Simulator, repo: string, id: string, path: string, row: Json) {
  return call(sim, `${repoPath(repo)}/workspaces/${id}/data_frames/rows/resource/${path}`, { method: 'POST', body: row })
}

async function fileBytes(sim: Simulator, repo: string, path: string, key: string | null = KEY) {
  const res = await fetch(`${sim.baseUrl}${repoPath(repo)}/file/main/${path}`, {
    headers: key === null ? {} : { Authorization: `Bearer ${key}` },
  })
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) }
}

const image = (width: number, height: number, r = 40) =>
  sharp({ create: { width, height, channels: 3, background: { r, g: 120, b: 200 } } })
    .png()
    .toBuffer()

const names = (body: Json) => (body.entries as Json[]).map((e) => e.filename)

describe('repositories: visibility', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await start()
  })

  it('stores is_public (omitted → public by default), keeps the 409, refuses a non-boolean', async () => {
    const pub = await createRepo(sim, 'open-refs', { is_public: true })
    expect(pub.status).toBe(200)
    expect(pub.body).toEqual({
      status: 'success',
      status_message: 'resource_created',
      repository: { namespace: NS, name: 'open-refs', description: 'a dataset', is_public: true, latest_commit: null },
    })
    expect(((await createRepo(sim, 'secret', { is_public: false })).body.repository as Json).is_public).toBe(false)
    expect(((await createRepo(sim, 'legacy')).body.repository as Json).is_public).toBe(true)
    const again = await createRepo(sim, 'secret', { is_public: true })
    expect(again.status).toBe(409)
    expect(again.body).toEqual({ error: { type: 'conflict', title: 'Repo already exists.' }, status: 'error', status_message: 'conflict' })
    expect((await createRepo(sim, 'weird', { is_public: 'yes' })).status).toBe(400)

    const strict = await start({ reposPublicByDefault: false })
    expect(((await createRepo(strict, 'default-private')).body.repository as Json).is_public).toBe(false)
  })

  it('reads a private repo (file and folder) only with the owner key: 401 without one, 404 for another user', async () => {
    const png = await image(40, 30)
    for (const repo of ['open-refs', 'secret']) {
      await workspace(sim, repo, 'ws-vis')
      expect((await addFiles(sim, repo, 'ws-vis', 'refs', { 'a.png': png })).status).toBe(200)
      expect((await commit(sim, repo, 'ws-vis')).status).toBe(200)
    }
    // Public: anyone.
    expect((await fileBytes(sim, 'open-refs', 'refs/a.png', null)).bytes.equals(png)).toBe(true)
    expect((await call(sim, `${repoPath('open-refs')}/dir/main/refs`, { key: null })).status).toBe(200)
    // Private: the owner only.
    const anonymous = await fileBytes(sim, 'secret', 'refs/a.png', null)
    expect(anonymous.status).toBe(401)
    expect(JSON.parse(anonymous.bytes.toString())).toMatchObject({ error: { type: 'unauthenticated' }, status_message: 'unauthenticated' })
    expect((await fileBytes(sim, 'secret', 'refs/a.png', 'not-a-key')).status).toBe(401)
    expect((await fileBytes(sim, 'secret', 'refs/a.png', OTHER_KEY)).status).toBe(404)
    expect((await fileBytes(sim, 'secret', 'refs/a.png')).bytes.equals(png)).toBe(true)
    const head = await fetch(`${sim.baseUrl}${repoPath('secret')}/file/main/refs/a.png`, { method: 'HEAD' })
    expect(head.status).toBe(401)
    expect((await call(sim, `${repoPath('secret')}/dir/main`, { key: null })).status).toBe(401)
    expect((await call(sim, `${repoPath('secret')}/dir/main`, { key: OTHER_KEY })).status).toBe(404)
    expect((await call(sim, `${repoPath('secret')}/dir/main`)).status).toBe(200)
    // Writing needs the owner's key too.
    expect((await addFiles(sim, 'open-refs', 'ws-vis', 'refs', { 'b.png': png }, OTHER_KEY)).status).toBe(404)
  })

  it("a generation cannot read a private repo's URL as a reference (the service fetches without a key)", async () => {
    const url = `${sim.baseUrl}${repoPath('secret')}/file/main/refs/a.png`
    const res = await call(sim, '/api/ai/queue', { method: 'POST', body: { model: 'bytedance-seedream-5-lite', prompt: 'x', image_input: [url] } })
    const id = (res.body.generations as Json[])[0]!.generation_id as string
    let row: Json = {}
    for (let i = 0; i < 200 && !['succeeded', 'failed'].includes(row.status as string); i++) {
      await new Promise((r) => setTimeout(r, 15))
      row = (await call(sim, `/api/ai/queue/${id}`)).body
    }
    expect(row.status).toBe('failed')
    expect(row.error_message).toBe(`Failed to load input image: 401 Client Error: Unauthorized for url: ${url}`)
  })
})

describe('workspaces, commits and folder listings', () => {
  let sim: Simulator
  let keep: Buffer // staged by the first test, committed by the second
  beforeAll(async () => {
    sim = await start()
    await createRepo(sim, 'dataset', { is_public: true })
  })

  it('get_or_create works on an empty repo and answers the same workspace (with its staged files) for the same id', async () => {
    const created = await workspace(sim, 'dataset', 'ws-1')
    expect(created.status).toBe(200)
    expect(created.body).toEqual({
      status: 'success',
      status_message: 'resource_created',
      workspace: { id: 'ws-1', name: null, branch_name: 'main', commit: null },
    })
    keep = await image(8, 8)
    expect((await addFiles(sim, 'dataset', 'ws-1', 'images', { 'keep.png': keep })).status).toBe(200)
    const found = await workspace(sim, 'dataset', 'ws-1')
    expect(found.body).toMatchObject({ status: 'success', status_message: 'resource_found', workspace: { id: 'ws-1' } })
    // The file staged before is still there: it is committed below.
    expect((await call(sim, `${repoPath('dataset')}/workspaces/get_or_create`, { method: 'PUT', body: { branch_name: 'main' } })).status).toBe(400)
    expect((await call(sim, `${repoPath('nope')}/workspaces/get_or_create`, { method: 'PUT', body: { branch_name: 'main', workspace_id: 'x' } })).status).toBe(404)
    expect((await call(sim, `${repoPath('dataset')}/workspaces/get_or_create`, { method: 'PUT', key: null, body: {} })).status).toBe(401)
  })

  it('adds files, replaces a re-added path, commits once, and lists the folder with paging, sizes and hashes', async () => {
    const [a, b, c] = [await image(64, 48, 10), await image(32, 32, 90), await image(20, 10, 200)]
    const before = sim.stats()
    const added = await addFiles(sim, 'dataset', 'ws-1', 'images', { 'a.png': Buffer.from('old bytes'), 'b.png': b })
    expect(added).toEqual({ status: 200, body: { status: 'success', status_message: 'resource_created', paths: ['images/a.png', 'images/b.png'] } })
    // Same path again: replaces what is staged. Names are sanitised like uploads (no directories).
    const again = await addFiles(sim, 'dataset', 'ws-1', 'images', { 'a.png': a, '../../c.png': c })
    expect(again.body.paths).toEqual(['images/a.png', 'images/c.png'])
    const root = await addFiles(sim, 'dataset', 'ws-1', '', { 'README.md': Buffer.from('# dataset\n') })
    expect(root.body.paths).toEqual(['README.md'])
    expect(sim.stats().workspaceFilesAdded).toBe(before.workspaceFilesAdded + 5)
    expect(sim.stats().workspaceAddedPaths.slice(-5)).toEqual([
      `${NS}/dataset/images/a.png`,
      `${NS}/dataset/images/b.png`,
      `${NS}/dataset/images/a.png`,
      `${NS}/dataset/images/c.png`,
      `${NS}/dataset/README.md`,
    ])
    // Nothing is visible before the commit: the repo has no branch yet.
    expect((await call(sim, `${repoPath('dataset')}/dir/main`)).status).toBe(404)

    const done = await commit(sim, 'dataset', 'ws-1', 'First import')
    expect(done.status).toBe(200)
    expect(done.body).toEqual({
      status: 'success',
      status_message: 'resource_created',
      commit: {
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        parent_ids: [],
        message: 'First import',
        author: 'Ada',
        email: 'ada@example.com',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    })
    const head = done.body.commit as Json
    expect(sim.stats().workspaceCommits).toBe(before.workspaceCommits + 1)
    expect((await workspace(sim, 'dataset', 'ws-1')).body.workspace).toEqual({ id: 'ws-1', name: null, branch_name: 'main', commit: head })

    for (const suffix of ['', '/']) {
      const listing = await call(sim, `${repoPath('dataset')}/dir/main${suffix}`)
      expect(listing.status).toBe(200)
      expect(names(listing.body)).toEqual(['images', 'README.md']) // dirs first
    }
    const rootList = (await call(sim, `${repoPath('dataset')}/dir/main`)).body
    expect(rootList).toMatchObject({ status: 'success', status_message: 'resource_found', dir: { filename: '', is_dir: true }, total_entries: 2 })
    const imagesEntry = (rootList.entries as Json[])[0]!
    expect(imagesEntry).toMatchObject({
      filename: 'images',
      is_dir: true,
      size: a.length + b.length + c.length + keep.length,
      data_type: 'dir',
      last_commit: { id: head.id },
      hash: expect.stringMatching(/^[0-9a-f]{32}$/),
    })

    const page1 = (await call(sim, `${repoPath('dataset')}/dir/main/images?page_size=2`)).body
    expect(page1).toMatchObject({ page_number: 1, page_size: 2, total_entries: 4, total_pages: 2, dir: { filename: 'images', is_dir: true } })
    expect(names(page1)).toEqual(['a.png', 'b.png'])
    const page2 = (await call(sim, `${repoPath('dataset')}/dir/main/images?page=2&page_size=2`)).body
    expect(names(page2)).toEqual(['c.png', 'keep.png'])
    expect(names((await call(sim, `${repoPath('dataset')}/dir/main/images?page=3&page_size=2`)).body)).toEqual([])
    const aEntry = (page1.entries as Json[])[0]!
    expect(aEntry).toEqual({
      filename: 'a.png',
      is_dir: false,
      size: a.length,
      hash: expect.stringMatching(/^[0-9a-f]{32}$/),
      data_type: 'image',
      mime_type: 'image/png',
      extension: 'png',
      last_commit: head,
      latest_commit: head,
    })
    expect((await call(sim, `${repoPath('dataset')}/dir/main?page_size=5000`)).body.page_size).toBe(1000)
    expect((await fileBytes(sim, 'dataset', 'images/a.png')).bytes.equals(a)).toBe(true)
    expect((await fileBytes(sim, 'dataset', 'README.md')).bytes.toString()).toBe('# dataset\n')

    // The same bytes at another path: the same hash; a re-committed path keeps one entry.
    await addFiles(sim, 'dataset', 'ws-1', 'copies', { 'a-again.png': a })
    await addFiles(sim, 'dataset', 'ws-1', 'images', { 'a.png': a })
    const second = await commit(sim, 'dataset', 'ws-1', 'Second')
    expect((second.body.commit as Json).parent_ids).toEqual([head.id])
    const copies = (await call(sim, `${repoPath('dataset')}/dir/main/copies`)).body
    expect((copies.entries as Json[])[0]!.hash).toBe(aEntry.hash)
    expect(names((await call(sim, `${repoPath('dataset')}/dir/main/images`)).body)).toEqual(['a.png', 'b.png', 'c.png', 'keep.png'])

    const missing = await call(sim, `${repoPath('dataset')}/dir/main/nothing-here`)
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ error: { type: 'resource_not_found' }, status_message: 'resource_not_found' })
    expect((await call(sim, `${repoPath('dataset')}/dir/main/README.md`)).status).toBe(404)
    expect((await call(sim, `${repoPath('dataset')}/dir/dev`)).status).toBe(404)
  })

  it('answers 400 no_changes for a commit with nothing staged, 404 for an unknown workspace or branch', async () => {
    await workspace(sim, 'dataset', 'ws-empty')
    const empty = await commit(sim, 'dataset', 'ws-empty')
    expect(empty.status).toBe(400)
    expect(empty.body).toEqual({ error: { type: 'no_changes', title: 'No changes to commit' }, status: 'error', status_message: 'no_changes' })
    expect((await commit(sim, 'dataset', 'ws-unknown')).status).toBe(404)
    await addFiles(sim, 'dataset', 'ws-empty', 'x', { 'x.txt': Buffer.from('x') })
    expect((await commit(sim, 'dataset', 'ws-empty', 'to dev', 'dev')).status).toBe(404)
    expect((await call(sim, `${repoPath('dataset')}/workspaces/ws-empty/commit/main`, { method: 'POST', body: {} })).status).toBe(400)
    // A non-empty repo: get_or_create on an unknown branch is refused.
    expect((await workspace(sim, 'dataset', 'ws-dev', 'dev')).status).toBe(400)
    const noFile = await fetch(`${sim.baseUrl}${repoPath('dataset')}/workspaces/ws-empty/files/x`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
      body: '{}',
    })
    expect(noFile.status).toBe(400)
  })

  it('appends staged rows to a .jsonl data frame on commit (creating it), then to the existing file', async () => {
    await workspace(sim, 'dataset', 'ws-rows')
    const first = await addRow(sim, 'dataset', 'ws-rows', 'captions.jsonl', { file: 'images/a.png', caption: 'a blue square' })
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({
      status: 'success',
      row_id: expect.any(String),
      row_index: 0,
      data_frame: { source: { size: { height: 1, width: 2 } } },
    })
    expect((await addRow(sim, 'dataset', 'ws-rows', 'captions.jsonl', { data: { file: 'images/b.png', caption: 'teal' } })).body.row_index).toBe(1)
    expect(sim.stats().workspaceRowsAdded).toBe(2)
    // Nothing lands before the commit.
    expect((await fileBytes(sim, 'dataset', 'captions.jsonl')).status).toBe(404)
    expect((await commit(sim, 'dataset', 'ws-rows', 'Captions')).status).toBe(200)
    const lines = (await fileBytes(sim, 'dataset', 'captions.jsonl')).bytes.toString()
    expect(lines).toBe('{"file":"images/a.png","caption":"a blue square"}\n{"file":"images/b.png","caption":"teal"}\n')

    // A row and a file in one commit; the row count continues from the committed file.
    expect((await addRow(sim, 'dataset', 'ws-rows', 'captions.jsonl', { file: 'images/c.png', caption: 'orange' })).body.row_index).toBe(2)
    await addFiles(sim, 'dataset', 'ws-rows', 'images', { 'd.png': await image(4, 4) })
    expect((await commit(sim, 'dataset', 'ws-rows', 'More')).status).toBe(200)
    expect((await fileBytes(sim, 'dataset', 'captions.jsonl')).bytes.toString().trim().split('\n')).toHaveLength(3)
    const root = (await call(sim, `${repoPath('dataset')}/dir/main`)).body.entries as Json[]
    expect(root.find((e) => e.filename === 'captions.jsonl')).toMatchObject({ is_dir: false, data_type: 'tabular' })
    expect(root.find((e) => e.filename === 'README.md')).toMatchObject({ data_type: 'text', mime_type: 'text/markdown' })

    expect((await addRow(sim, 'dataset', 'ws-rows', 'table.parquet', { a: 1 })).status).toBe(400)
    expect((await addRow(sim, 'dataset', 'ws-rows', 'rows.json', { a: 1 })).status).toBe(200)
    await commit(sim, 'dataset', 'ws-rows', 'json array')
    expect(JSON.parse((await fileBytes(sim, 'dataset', 'rows.json')).bytes.toString())).toEqual([{ a: 1 }])
  })
})

describe('workspace and commit faults', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await start()
    await createRepo(sim, 'faulty', { is_public: true })
    await workspace(sim, 'faulty', 'ws-f')
    await addFiles(sim, 'faulty', 'ws-f', 'base', { 'seed.txt': Buffer.from('seed') })
    await commit(sim, 'faulty', 'ws-f', 'base')
  })

  const rootNames = async () => names((await call(sim, `${repoPath('faulty')}/dir/main`)).body)

  it('workspace-upload-reset destroys the add mid-body: the client sees a reset and nothing is staged', async () => {
    sim.setFaults({ named: ['workspace-upload-reset;times=1'] })
    const before = sim.stats().workspaceFilesAdded
    const big = randomBytes(400_000)
    await expect(addFiles(sim, 'faulty', 'ws-f', 'up', { 'big.bin': big })).rejects.toThrow()
    expect(sim.stats().workspaceFilesAdded).toBe(before)
    expect((await commit(sim, 'faulty', 'ws-f')).status).toBe(400) // nothing staged
    // One-shot: the retry goes through.
    expect((await addFiles(sim, 'faulty', 'ws-f', 'up', { 'big.bin': big })).status).toBe(200)
    expect((await commit(sim, 'faulty', 'ws-f', 'upload')).status).toBe(200)
    expect(createHash('sha256').update((await fileBytes(sim, 'faulty', 'up/big.bin')).bytes).digest('hex')).toBe(
      createHash('sha256').update(big).digest('hex'),
    )
  })

  it('commit-conflict answers 409 and applies nothing; the changes stay staged for a later commit', async () => {
    const set = await call(sim, '/__sim/faults', { method: 'POST', key: null, body: { named: ['commit-conflict;times=1'] } })
    expect(set.body).toEqual({ commits: [{ conflict: true, times: 1 }] })
    await addFiles(sim, 'faulty', 'ws-f', 'c', { 'one.txt': Buffer.from('1') })
    const commits = sim.stats().workspaceCommits
    const conflict = await commit(sim, 'faulty', 'ws-f')
    expect(conflict.status).toBe(409)
    expect(conflict.body).toEqual({
      error: { type: 'conflict', title: expect.stringContaining('branch has moved') },
      status: 'error',
      status_message: 'conflict',
    })
    expect(await rootNames()).not.toContain('c')
    expect(sim.stats().workspaceCommits).toBe(commits)
    expect((await commit(sim, 'faulty', 'ws-f')).status).toBe(200)
    expect(await rootNames()).toContain('c')
  })

  it('commit-5xx answers 500 (JSON) or 503 (proxy page) and applies nothing', async () => {
    sim.setFaults({ named: ['commit-5xx;times=1', 'commit-5xx=503;times=1'] })
    await addFiles(sim, 'faulty', 'ws-f', 'd', { 'two.txt': Buffer.from('2') })
    const first = await commit(sim, 'faulty', 'ws-f')
    expect(first.status).toBe(500)
    expect(first.body).toMatchObject({ error: { type: 'unknown_error' }, status: 'error' })
    const second = await commit(sim, 'faulty', 'ws-f')
    expect(second.status).toBe(503)
    expect(second.text).toContain('503 Service Unavailable')
    expect(await rootNames()).not.toContain('d')
    expect((await commit(sim, 'faulty', 'ws-f')).status).toBe(200)
    expect(await rootNames()).toContain('d')
  })

  it('commit-5xx-after-apply applies the commit, then answers 502; a retry finds nothing to commit', async () => {
    sim.setFaults({ named: ['commit-5xx-after-apply;times=1'] })
    await addFiles(sim, 'faulty', 'ws-f', 'e', { 'three.txt': Buffer.from('3') })
    const commits = sim.stats().workspaceCommits
    const res = await commit(sim, 'faulty', 'ws-f')
    expect(res.status).toBe(502)
    expect(res.text).toContain('502 Bad Gateway')
    expect(await rootNames()).toContain('e')
    expect(sim.stats().workspaceCommits).toBe(commits + 1)
    expect((await commit(sim, 'faulty', 'ws-f')).body).toMatchObject({ error: { type: 'no_changes' } })
    expect(await call(sim, '/__sim/faults', { key: null }).then((r) => r.body)).toEqual({})
  })

  it('refuses bad commit rules and bad named values', async () => {
    expect(() => sim.setFaults({ commits: [{ afterApply: true }] })).toThrow(/afterApply needs a status/)
    expect(() => sim.setFaults({ named: ['commit-5xx=404'] })).toThrow(/commit-5xx must be 500, 502 or 503/)
    sim.setFaults({})
  })
})

describe('seeded generation history', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await start()
  })

  it('seeds past generations: image rows to import, failed and video rows to filter out', async () => {
    const seeded = await call(sim, '/__sim/history', { method: 'POST', key: null, body: { count: 6, expiredUrls: true } })
    expect(seeded.status).toBe(200)
    expect(seeded.body).toMatchObject({ status: 'success', count: 9 })
    const rows = (seeded.body.generations as Json[])
    expect(rows.filter((r) => r.status === 'failed')).toHaveLength(2)
    expect(rows.filter((r) => r.media_type === 'video')).toHaveLength(1)

    const all = (await call(sim, '/api/ai/generations?page_size=100')).body
    expect(all).toMatchObject({ count: 9, total_entries: 9 })
    const listed = all.generations as Json[]
    const created = listed.map((g) => g.created_at as number)
    expect([...created].sort((x, y) => y - x)).toEqual(created) // newest first
    const now = Date.now() / 1000
    expect(created.every((t) => t < now - 3000)).toBe(true)
    expect(new Set(created.map((t) => Math.floor(t / 86400))).size).toBeGreaterThan(5) // spread over days
    const failed = listed.filter((g) => g.status === 'failed')
    expect(failed.every((g) => g.result_url === null && g.cost === '0.000' && typeof g.error_message === 'string')).toBe(true)
    const video = listed.find((g) => g.media_type === 'video')!
    expect(video).toMatchObject({ status: 'succeeded', model_name: 'veo-3-1-fast' })

    const images = (await call(sim, '/api/ai/generations?media_type=image&status=succeeded&page_size=4')).body
    expect(images).toMatchObject({ count: 4, total_entries: 6, total_pages: 2 })
    const page2 = (await call(sim, '/api/ai/generations?media_type=image&status=succeeded&page_size=4&page=2')).body
    const importable = [...(images.generations as Json[]), ...(page2.generations as Json[])]
    expect(importable).toHaveLength(6)
    const bodies = new Set<string>()
    for (const row of importable) {
      expect(row).toMatchObject({
        media_type: 'image',
        status: 'succeeded',
        prompt: expect.stringContaining('workbench'),
        model_name: expect.any(String),
        seed: expect.any(Number),
        aspect_ratio: expect.stringMatching(/^\d+:\d+$/),
        cost: expect.stringMatching(/^\d+\.\d{3}$/),
        target_repo: 'ai-outputs',
        username: NS,
      })
      expect(Number(row.cost)).toBeGreaterThan(0)
      // The list's URL has expired …
      const stale = await fetch(row.result_url as string)
      expect(stale.status).toBe(403)
      expect(((await stale.json()) as Json).error).toMatchObject({ type: 'forbidden', title: 'The link has expired' })
      // … the single record mints a fresh one.
      const single = (await call(sim, `/api/ai/generations/${row.generation_id}`)).body.generation as Json
      const fresh = await fetch(single.result_url as string)
      expect(fresh.status).toBe(200)
      const bytes = Buffer.from(await fresh.arrayBuffer())
      expect((await sharp(bytes).metadata()).format).toBe('png')
      expect(bytes.length).toBeLessThan(200_000)
      bodies.add(createHash('sha256').update(bytes).digest('hex'))
    }
    expect(bodies.size).toBe(6) // distinct per generation
  })

  it('seeds working list URLs without expiredUrls, for one model and another user; refuses a bad seed', async () => {
    const other = sim.seedHistory({ count: 2, model: 'z-image-turbo', failed: 0, nonImage: 0, apiKey: OTHER_KEY, days: 3 })
    expect(other.map((g) => g.model_name)).toEqual(['z-image-turbo', 'z-image-turbo'])
    const listed = (await call(sim, '/api/ai/generations', { key: OTHER_KEY })).body.generations as Json[]
    expect(listed).toHaveLength(2)
    expect((await fetch(listed[0]!.result_url as string)).status).toBe(200)
    expect(((await call(sim, '/api/ai/generations')).body.total_entries)).toBe(9) // the first user's rows only

    expect(() => sim.seedHistory({ count: 1, model: 'claude-sonnet-4-6' })).toThrow(/not an image model/)
    expect((await call(sim, '/__sim/history', { method: 'POST', key: null, body: { count: -1 } })).status).toBe(400)
    expect((await call(sim, '/__sim/history', { method: 'POST', key: null, body: { count: 1, colour: 'red' } })).status).toBe(400)
  })

  it('the history option seeds at start', async () => {
    const seededAtStart = await start({ history: { count: 3, failed: 0, nonImage: 0 } })
    expect((await call(seededAtStart, '/api/ai/generations')).body.total_entries).toBe(3)
  })
})
