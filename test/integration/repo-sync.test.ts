// Pushing boards and selections to an Oxen repository and pulling them back (issue 13), over the real simulator
// and real libraries in temp folders: the files byte for byte plus images.jsonl; a second push sends only the delta;
// a crash mid-push resumes in the same workspace without sending a file twice; dropped uploads are retried or
// resumed; commit conflicts and server errors say what to do and a later push succeeds; cancel; a pull into an
// empty library brings the same images with their recipes, ratings and picks onto a board, and again brings nothing.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OxenClient } from '../../electron/services/oxen/client'
import { multipartBody } from '../../electron/services/oxen/repos'
import { readRecipe } from '../../electron/services/library/image-metadata'
import type { CrashPoint } from '../../electron/services/checkpoint'
import { createRepoSync, type RepoSyncDeps } from '../../electron/services/sync/repo-sync'
import type { FrameRow } from '../../electron/services/sync/data-frame'
import type { TaskControl } from '../../electron/services/sync/tasks'
import type { LibraryImage } from '../../shared/domain'
import type { PushRequest } from '../../shared/sync'
import { startSimulator, type Simulator, type SimulatorFaults } from '../../tools/oxen-simulator/index'
import { openTestLibrary, type TestLibrary } from '../fixtures/library-fixture'
import { makeImage } from '../fixtures/library-images'
import { testLog } from '../fixtures/jobs-world'

const KEY = 'test-key-repo-sync'
const NS = 'atelier-user'

let sim: Simulator
let stateDir: string
const libraries: TestLibrary[] = []

beforeEach(async () => {
  sim = await startSimulator({ apiKeys: [KEY], queuedMs: 20, processingMs: 40 })
  stateDir = mkdtempSync(join(tmpdir(), 'atelier-sync-state-'))
})
afterEach(async () => {
  await Promise.all(libraries.splice(0).map((l) => l.close()))
  await sim.close()
  rmSync(stateDir, { recursive: true, force: true })
})

function library(): TestLibrary {
  const t = openTestLibrary('atelier-sync-lib-')
  libraries.push(t)
  return t
}

function service(t: TestLibrary, opts: { checkpoint?: (point: CrashPoint) => void } = {}) {
  const client = new OxenClient({ baseUrl: sim.baseUrl, getKey: async () => KEY, retry: { attempts: 3, baseMs: 10, capMs: 50 } })
  const changed: string[] = []
  const deps: RepoSyncDeps = {
    client: () => client,
    library: t.library,
    queries: t.queries,
    stateDir,
    log: testLog,
    onLibraryChanged: (ids) => changed.push(...ids),
    retry: { attempts: 3, baseMs: 10, capMs: 50 },
    ...(opts.checkpoint ? { checkpoint: opts.checkpoint } : {}),
  }
  return { sync: createRepoSync(deps), changed }
}

function control(): TaskControl & { abort: AbortController; progress: (done: number, total: number | null) => void; seen: [number, number | null][]; url: () => string | null } {
  const abort = new AbortController()
  const seen: [number, number | null][] = []
  let url: string | null = null
  return { abort, signal: abort.signal, seen, progress: (d, t) => void seen.push([d, t]), setUrl: (u) => void (url = u), url: () => url }
}

/** A board of `n` new images (prompts, seeds, a reference, ratings and picks that differ). */
async function boardOf(t: TestLibrary, name: string, n: number): Promise<{ boardId: string; images: LibraryImage[] }> {
  const board = await t.queries.createBoard(name)
  const images: LibraryImage[] = []
  for (let i = 0; i < n; i++) {
    images.push(
      await t.save({
        prompt: `A teapot, study ${i}`,
        params: { size: '2K', seed: 1000 + i, guidance: 2.5 },
        format: i === 1 ? 'jpeg' : i === 2 ? 'webp' : 'png',
        ...(i === 0 ? { references: ['a'.repeat(64)] } : {}),
      }),
    )
  }
  await t.queries.addToBoard(board.id, images.map((i) => i.id))
  await t.queries.setRating([images[0]!.id], 4)
  await t.queries.setPick([images[0]!.id], 1)
  if (n > 1) await t.queries.setPick([images[1]!.id], -1)
  return { boardId: board.id, images }
}

async function api(path: string, key: string | null = KEY): Promise<Response> {
  return fetch(`${sim.baseUrl}${path}`, { headers: key ? { Authorization: `Bearer ${key}` } : {} })
}

async function remoteImages(repo: string): Promise<string[]> {
  const res = await api(`/api/repos/${NS}/${repo}/dir/main/images?page_size=1000`)
  if (res.status === 404) return []
  const body = (await res.json()) as { entries: { filename: string }[] }
  return body.entries.map((e) => e.filename).sort()
}

async function remoteFrame(repo: string): Promise<FrameRow[]> {
  const res = await api(`/api/repos/${NS}/${repo}/file/main/images.jsonl`)
  expect(res.status).toBe(200)
  const text = await res.text()
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as FrameRow)
}

const ext = (i: LibraryImage) => (i.format === 'jpeg' ? 'jpg' : i.format)
const fileOf = (i: LibraryImage) => `${i.id}.${ext(i)}`
const pushReq = (repo: string, source: PushRequest['source'], isPublic = true): PushRequest => ({
  repo: { name: repo },
  isPublic,
  message: 'Teapot studies',
  source,
})
/** Paths staged by workspace file adds since `from`, as `<path>` within `repo`. */
const addsSince = (from: number, repo: string) =>
  sim
    .stats()
    .workspaceAddedPaths.slice(from)
    .filter((p) => p.startsWith(`${NS}/${repo}/`))
    .map((p) => p.slice(`${NS}/${repo}/`.length))
const journals = () => readdirSync(stateDir).filter((n) => n.startsWith('push-') && n.endsWith('.json'))
const faults = (named: string[]) => sim.setFaults({ named } as SimulatorFaults)

describe('push', () => {
  it('pushes a board: the untouched files and a data frame with the fine-tuning columns, in one commit', async () => {
    const t = library()
    const { sync } = service(t)
    const { boardId, images } = await boardOf(t, 'Teapots', 4)
    // Image 0's reference was made from image 3 ("use as reference"): the frame names image 3, not the hash.
    t.library.db
      .prepare(
        `INSERT INTO reference_images (hash, name, format, width, height, bytes, created_at, source_image_id)
         VALUES (?, 'ref.png', 'png', 64, 64, 100, 0, ?)`,
      )
      .run('a'.repeat(64), images[3]!.id)
    const c = control()
    const outcome = await sync.push(pushReq('teapots', { boardId }), c)
    expect(outcome.message).toBe('Created atelier-user/teapots as a public repository and sent 4 new images and the data frame.')
    expect(c.url()).toBe(`${sim.baseUrl}/${NS}/teapots`)
    expect(c.seen.at(-1)).toEqual([5, 5])
    expect(sim.stats().workspaceCommits).toBe(1)

    expect(await remoteImages('teapots')).toEqual(images.map(fileOf).sort())
    for (const image of images) {
      const res = await api(`/api/repos/${NS}/teapots/file/main/images/${fileOf(image)}`)
      const [local] = await t.queries.files([image.id])
      expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(local!.path))).toBe(true) // byte for byte
    }
    const rows = await remoteFrame('teapots')
    expect(rows.map((r) => r.image)).toEqual(images.map((i) => `images/${fileOf(i)}`).sort())
    const first = rows.find((r) => r.image_id === images[0]!.id)!
    expect(first).toEqual({
      image: `images/${fileOf(images[0]!)}`,
      caption: 'A teapot, study 0',
      image_id: images[0]!.id,
      generation_id: images[0]!.generationId,
      prompt: 'A teapot, study 0',
      model: 'bytedance-seedream-5-lite',
      params: { size: '2K', seed: 1000, guidance: 2.5 },
      seed: 1000,
      rating: 4,
      pick: 'pick',
      cost: null,
      created: new Date(images[0]!.createdAt).toISOString(),
      source_images: [images[3]!.id],
      width: 64,
      height: 64,
    })
    expect(rows.find((r) => r.image_id === images[1]!.id)!.pick).toBe('reject')
    expect(rows.find((r) => r.image_id === images[2]!.id)!).toMatchObject({ pick: null, rating: 0, seed: 1002 })
    expect(journals()).toEqual([])
  })

  it('sends only the delta the second time: one new image and the changed frame; nothing at all the third', async () => {
    const t = library()
    const { sync } = service(t)
    const { boardId, images } = await boardOf(t, 'Teapots', 4)
    await sync.push(pushReq('delta', { boardId }), control())
    const added = await t.save({ prompt: 'A fifth teapot', params: { seed: 7 } })
    await t.queries.addToBoard(boardId, [added.id])
    await t.queries.setRating([images[3]!.id], 5)

    const from = sim.stats().workspaceAddedPaths.length
    const outcome = await sync.push(pushReq('delta', { boardId }), control())
    expect(outcome.message).toBe('Sent 1 new image and the data frame to atelier-user/delta; 4 were already there.')
    expect(addsSince(from, 'delta').sort()).toEqual([`images/${fileOf(added)}`, 'images.jsonl'].sort())
    expect(sim.stats().workspaceCommits).toBe(2)
    const rows = await remoteFrame('delta')
    expect(rows).toHaveLength(5)
    expect(rows.find((r) => r.image_id === images[3]!.id)!.rating).toBe(5)

    const before = sim.stats()
    const again = await sync.push(pushReq('delta', { boardId }), control())
    expect(again.message).toBe('Nothing new to send to atelier-user/delta: all 5 images and the data frame are already there, so nothing was committed.')
    expect(sim.stats().workspaceFilesAdded).toBe(before.workspaceFilesAdded)
    expect(sim.stats().workspaceCommits).toBe(before.workspaceCommits)

    // A rating alone changes only the frame.
    await t.queries.setPick([images[2]!.id], 1)
    const from2 = sim.stats().workspaceAddedPaths.length
    const frameOnly = await sync.push(pushReq('delta', { boardId }), control())
    expect(frameOnly.message).toBe('Sent the data frame (ratings, picks or rows changed) to atelier-user/delta; all 5 images were already there.')
    expect(addsSince(from2, 'delta')).toEqual(['images.jsonl'])
    expect((await remoteFrame('delta')).find((r) => r.image_id === images[2]!.id)!.pick).toBe('pick')
  })

  it('keeps the rows of images it does not push (another selection, another designer)', async () => {
    const t = library()
    const { sync } = service(t)
    const { images } = await boardOf(t, 'Teapots', 4)
    await sync.push(pushReq('shared', { imageIds: [images[0]!.id, images[1]!.id] }), control())
    await sync.push(pushReq('shared', { imageIds: [images[2]!.id, images[3]!.id] }), control())
    expect((await remoteFrame('shared')).map((r) => r.image_id).sort()).toEqual(images.map((i) => i.id).sort())
    expect(await remoteImages('shared')).toHaveLength(4)
  })

  it('leaves out selected images that are no longer in the library, and says so', async () => {
    const t = library()
    const { sync } = service(t)
    const { images } = await boardOf(t, 'Teapots', 3)
    await t.queries.trash([images[2]!.id])
    await t.queries.emptyTrash()
    const outcome = await sync.push(pushReq('gone', { imageIds: images.map((i) => i.id) }), control())
    expect(outcome.message).toBe(
      'Created atelier-user/gone as a public repository and sent 2 new images and the data frame. 1 image is no longer in your library and was left out.',
    )
    expect(await remoteImages('gone')).toEqual(images.slice(0, 2).map(fileOf).sort())
  })

  it('resumes a push cut off mid-way (a crash) in a new instance: every file once, staged ones not sent again', async () => {
    const t = library()
    let staged = 0
    const crashing = service(t, {
      checkpoint: (point) => {
        if (point === 'push-file-staged' && ++staged === 2) throw new Error('simulated crash after 2 staged files')
      },
    })
    const { boardId, images } = await boardOf(t, 'Teapots', 4)
    await expect(crashing.sync.push(pushReq('crash', { boardId }), control())).rejects.toThrow('simulated crash')
    expect(journals()).toHaveLength(1)
    const journal = JSON.parse(readFileSync(join(stateDir, journals()[0]!), 'utf8')) as { staged: string[]; phase: string; workspaceId: string }
    expect(journal.staged).toHaveLength(2)
    expect(journal.phase).toBe('staging')
    expect(await remoteImages('crash')).toEqual([]) // nothing committed yet

    const restarted = service(t) // a new instance on the same state folder, as after a restart
    const pending = restarted.sync.interrupted()
    expect(pending.map((p) => p.target)).toEqual([`${NS}/crash`])
    const c = control()
    const outcome = await pending[0]!.resume(c)
    expect(outcome.message).toBe('Sent 4 new images and the data frame to atelier-user/crash.') // the crashed run created it
    expect(c.seen[0]).toEqual([2, 5]) // two files were already staged
    const adds = addsSince(0, 'crash')
    expect(adds).toHaveLength(5) // 4 images + the frame, each once
    expect(new Set(adds).size).toBe(5)
    expect(await remoteImages('crash')).toEqual(images.map(fileOf).sort())
    expect(await remoteFrame('crash')).toHaveLength(4)
    expect(sim.stats().workspaceCommits).toBe(1)
    expect(journals()).toEqual([])
  })

  it('retries a dropped upload, and resumes one that keeps dropping without sending a file twice', async () => {
    const t = library()
    const { sync } = service(t)
    const { boardId } = await boardOf(t, 'Teapots', 4)
    faults(['workspace-upload-reset;times=1'])
    const outcome = await sync.push(pushReq('drop', { boardId }), control())
    expect(outcome.message).toContain('sent 4 new images and the data frame')
    expect(addsSince(0, 'drop')).toHaveLength(5) // the dropped add staged nothing; its retry did
    expect(await remoteImages('drop')).toHaveLength(4)

    // Drops past the retries: the push fails with the journal kept, and the next push goes on where it stopped.
    const second = await boardOf(t, 'More teapots', 3)
    let stagedNow = 0
    const flaky = service(t, {
      checkpoint: () => {
        if (++stagedNow === 1) faults(['workspace-upload-reset;times=10'])
      },
    })
    const from = sim.stats().workspaceAddedPaths.length
    await expect(flaky.sync.push(pushReq('drop', { boardId: second.boardId }), control())).rejects.toMatchObject({ code: 'unreachable' })
    expect(journals()).toHaveLength(1)
    expect(addsSince(from, 'drop')).toHaveLength(1)
    faults([])
    const resumed = await sync.push(pushReq('drop', { boardId: second.boardId }), control())
    expect(resumed.message).toBe('Sent 3 new images and the data frame to atelier-user/drop.')
    const adds = addsSince(from, 'drop')
    expect(adds).toHaveLength(4)
    expect(new Set(adds).size).toBe(4)
    expect(await remoteImages('drop')).toHaveLength(7)
    expect(journals()).toEqual([])
  })

  it('a commit conflict (409) says to push again, and pushing again succeeds', async () => {
    const t = library()
    const { sync } = service(t)
    const { boardId } = await boardOf(t, 'Teapots', 3)
    faults(['commit-conflict;times=1'])
    await expect(sync.push(pushReq('conflict', { boardId }), control())).rejects.toThrow(
      'Someone else committed to atelier-user/conflict while Atelier was sending, so nothing was committed. Push again: Atelier will send only what the repository still lacks.',
    )
    expect(journals()).toEqual([]) // the workspace is dropped: the next push recomputes the delta
    expect(await remoteImages('conflict')).toEqual([])
    const outcome = await sync.push(pushReq('conflict', { boardId }), control())
    expect(outcome.message).toBe('Sent 3 new images and the data frame to atelier-user/conflict.')
    expect(await remoteImages('conflict')).toHaveLength(3)
  })

  it('a server error on commit keeps the journal: the resume commits the staged files without sending them again', async () => {
    const t = library()
    const { sync } = service(t)
    const { boardId } = await boardOf(t, 'Teapots', 3)
    faults(['commit-5xx=502;times=1'])
    await expect(sync.push(pushReq('five', { boardId }), control())).rejects.toThrow(
      'Oxen answered with a server error while committing to atelier-user/five, so Atelier can’t tell whether the commit landed. Push again (or restart Atelier): it checks the repository first and sends no file twice.',
    )
    expect(journals()).toHaveLength(1)
    const adds = sim.stats().workspaceFilesAdded
    const [pending] = service(t).sync.interrupted()
    const outcome = await pending!.resume(control())
    expect(outcome.message).toBe('Sent 3 new images and the data frame to atelier-user/five.')
    expect(sim.stats().workspaceFilesAdded).toBe(adds) // nothing sent twice
    expect(await remoteImages('five')).toHaveLength(3)
    expect(journals()).toEqual([])
  })

  it('a server error after the commit landed: the resume finds everything there and commits nothing', async () => {
    const t = library()
    const { sync } = service(t)
    const { boardId } = await boardOf(t, 'Teapots', 2)
    faults(['commit-5xx-after-apply;times=1'])
    await expect(sync.push(pushReq('landed', { boardId }), control())).rejects.toThrow('can’t tell whether the commit landed')
    const commits = sim.stats().workspaceCommits
    const outcome = await sync.push(pushReq('landed', { boardId }), control())
    expect(outcome.message).toBe('Your earlier push to atelier-user/landed did land: all 2 images and the data frame are there.')
    expect(sim.stats().workspaceCommits).toBe(commits)
    expect(journals()).toEqual([])
  })

  it('cancel stops the push, deletes its journal, and commits nothing', async () => {
    const t = library()
    const c = control()
    const { sync } = service(t, { checkpoint: () => c.abort.abort() })
    const { boardId } = await boardOf(t, 'Teapots', 3)
    await expect(sync.push(pushReq('cancel', { boardId }), c)).rejects.toBeDefined()
    expect(c.signal.aborted).toBe(true)
    expect(journals()).toEqual([])
    expect(sim.stats().workspaceCommits).toBe(0)
    expect(addsSince(0, 'cancel')).toHaveLength(1)
  })

  it('an abort while the app closes keeps the journal for the next start', async () => {
    const t = library()
    const c = control()
    const made = service(t, {
      checkpoint: () => {
        made.sync.closing()
        c.abort.abort()
      },
    })
    const { boardId } = await boardOf(t, 'Teapots', 2)
    await expect(made.sync.push(pushReq('closing', { boardId }), c)).rejects.toBeDefined()
    expect(journals()).toHaveLength(1)
    const outcome = await service(t).sync.interrupted()[0]!.resume(control())
    expect(outcome.message).toBe('Sent 2 new images and the data frame to atelier-user/closing.')
    expect(addsSince(0, 'closing')).toHaveLength(3)
  })
})

describe('pull', () => {
  it('pulls a board into an empty library: same ids, recipes, ratings and picks, on a board; again brings nothing', async () => {
    const source = library()
    const { boardId, images } = await boardOf(source, 'Teapots', 4)
    await service(source).sync.push(pushReq('pullme', { boardId }), control())

    const empty = library()
    const { sync, changed } = service(empty)
    const c = control()
    const outcome = await sync.pull({ repo: { name: 'pullme' } }, c)
    expect(outcome.message).toBe('Pulled 4 new images from atelier-user/pullme onto the board of the same name.')
    expect(c.url()).toBe(`${sim.baseUrl}/${NS}/pullme`)
    expect(c.seen.at(-1)).toEqual([4, 4])
    expect(changed.sort()).toEqual(images.map((i) => i.id).sort())
    for (const { id } of images) {
      const original = source.library.getImage(id)! // with its rating and pick
      const pulled = empty.library.getImage(id)!
      expect(pulled).toBeTruthy()
      expect(pulled).toMatchObject({
        generationId: original.generationId,
        prompt: original.prompt,
        modelId: original.modelId,
        params: original.params,
        format: original.format,
        rating: original.rating,
        pick: original.pick,
        createdAt: original.createdAt, // where it was made in time, not when it was pulled
      })
      const [file] = await empty.queries.files([original.id])
      const [sourceFile] = await source.queries.files([original.id])
      const recipe = await readRecipe(file!.path)
      expect(recipe).toMatchObject({ imageId: original.id, prompt: original.prompt, params: original.params, references: original.references })
      expect(readFileSync(file!.path).equals(readFileSync(sourceFile!.path))).toBe(true) // the same file, byte for byte
    }
    const { boards } = await empty.queries.facets()
    const board = boards.find((b) => b.name === 'atelier-user/pullme')!
    expect(board.count).toBe(4)

    // The user re-rates a pulled image; pulling again brings nothing and keeps the user's rating.
    await empty.queries.setRating([images[0]!.id], 1)
    const again = await sync.pull({ repo: { name: 'pullme' } }, control())
    expect(again.message).toBe('Nothing new in atelier-user/pullme: all 4 images are already in your library, on the board of the same name.')
    expect(empty.library.getImage(images[0]!.id)!.rating).toBe(1)

    // One more image pushed: only it comes.
    const added = await source.save({ prompt: 'A late teapot', params: { seed: 3 } })
    await source.queries.addToBoard(boardId, [added.id])
    await source.queries.setRating([added.id], 3)
    await service(source).sync.push(pushReq('pullme', { boardId }), control())
    const third = await sync.pull({ repo: { name: 'pullme' } }, control())
    expect(third.message).toBe('Pulled 1 new image from atelier-user/pullme onto the board of the same name; 4 were already in your library.')
    expect(empty.library.getImage(added.id)!.rating).toBe(3)
  })

  it('pushes to and pulls from a private repository (its files need the key)', async () => {
    const source = library()
    const { boardId, images } = await boardOf(source, 'Secret teapots', 2)
    const pushed = await service(source).sync.push(pushReq('private-teapots', { boardId }, false), control())
    expect(pushed.message).toBe('Created atelier-user/private-teapots as a private repository and sent 2 new images and the data frame.')
    expect((await api(`/api/repos/${NS}/private-teapots/file/main/images.jsonl`, null)).status).toBe(401)

    const empty = library()
    const outcome = await service(empty).sync.pull({ repo: { namespace: NS, name: 'private-teapots' } }, control())
    expect(outcome.message).toBe('Pulled 2 new images from atelier-user/private-teapots onto the board of the same name.')
    for (const image of images) expect(empty.library.getImage(image.id)).toBeTruthy()
  })

  it('takes the recipe from the data frame for a file without one, and leaves out a file with neither', async () => {
    const put = async (repo: string, path: string, bytes: Buffer) => {
      const { body, contentType } = multipartBody({ message: `add ${path}` }, { field: 'file', filename: path.split('/').pop()!, contentType: 'application/octet-stream', bytes })
      const res = await fetch(`${sim.baseUrl}/api/repos/${NS}/${repo}/file/main/${path}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': contentType },
        body,
      })
      expect(res.status).toBe(200)
    }
    const created = await fetch(`${sim.baseUrl}/api/repos`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ namespace: NS, name: 'foreign', user: { name: 'Ada', email: 'ada@example.com' }, description: 'made elsewhere' }),
    })
    expect(created.status).toBe(200)
    const plain = await makeImage('png', 48, 32) // no recipe inside
    await put('foreign', 'images/from-row.png', plain)
    await put('foreign', 'images/stray.png', plain)
    const row = { image: 'images/from-row.png', caption: 'A kettle', generation_id: 'elsewhere-1', prompt: 'A kettle', model: 'flux-1-dev', params: { steps: 20 }, seed: 9, rating: 2, pick: 'pick' }
    await put('foreign', 'images.jsonl', Buffer.from(JSON.stringify(row) + '\n'))

    const empty = library()
    const outcome = await service(empty).sync.pull({ repo: { name: 'foreign' } }, control())
    expect(outcome.message).toBe(
      'Pulled 1 new image from atelier-user/foreign onto the board of the same name. 1 file had no recipe (in the file or the data frame) and was left out.',
    )
    const image = empty.library.imageForGeneration('elsewhere-1')!
    expect(image).toMatchObject({ prompt: 'A kettle', modelId: 'flux-1-dev', params: { steps: 20, seed: 9 }, rating: 2, pick: 1, width: 48, height: 32 })
  })

  it('says so when the repository has no images', async () => {
    const { sync } = service(library())
    await expect(sync.pull({ repo: { name: 'nothing-here' } }, control())).rejects.toThrow('Oxen has no images in atelier-user/nothing-here')
  })
})
