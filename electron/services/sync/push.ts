// Pushing images to an Oxen repository: the untouched files at `images/<id>.<ext>` plus the data frame
// `images.jsonl`, committed through a workspace with the user's message (API.md §13). Only what the repository
// lacks is sent: files not in its `images/` listing (files never change once saved, so the name is enough) and the
// frame when its bytes differ. Journaled after each staged file (push-journal.ts), so a crash or a dropped
// connection resumes in the same workspace without sending a file twice.
import { createHash, randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { IMAGE_FORMATS } from '../../../shared/domain'
import { AppFailure } from '../errors'
import { OxenHttpFailure } from '../oxen/client'
import { createRepoIfMissing, type OxenAccount } from '../oxen/repos'
import { addWorkspaceFile, commitWorkspace, getOrCreateWorkspace, listFolder, readRepoFile, type RepoTarget } from '../oxen/workspaces'
import type { ImageFile } from '../library/query'
import type { TaskControl, TaskOutcome } from './tasks'
import { FRAME_PATH, IMAGES_DIR, frameRow, mergeFrame, parseFrame, repoImagePath } from './data-frame'
import { plural, repoPageUrl, type RepoSyncDeps } from './deps'
import { deleteJournal, saveJournal, type PushJournal } from './push-journal'
import { DEFAULT_RETRY, withRetries } from './retry'

const BRANCH = 'main'
const DESCRIPTION = 'Images from Atelier, with their recipes in images.jsonl'

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
const fileName = (path: string) => path.slice(path.lastIndexOf('/') + 1)

/** A failure that makes the journal useless: Oxen refused for good (4xx but 408/429), or the branch moved (409). */
export function refusedForGood(error: unknown): boolean {
  if (error instanceof OxenHttpFailure) return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429
  return error instanceof AppFailure && (error.code === 'invalid-input' || error.code === 'not-found' || error.code === 'unauthorized')
}

interface Plan {
  files: ImageFile[]
  /** Files the repository lacks. */
  needed: ImageFile[]
  frame: Buffer
  frameSha: string
  /** The remote frame differs from the merged one. */
  frameNeeded: boolean
}

/** What the repository lacks, from its `images/` listing and its data frame merged with ours. */
async function plan(deps: RepoSyncDeps, repo: RepoTarget, journal: PushJournal, signal: AbortSignal): Promise<Plan> {
  const client = deps.client()
  const retry = deps.retry ?? DEFAULT_RETRY
  const files = await deps.queries.files(journal.imageIds)
  if (files.length === 0) throw new AppFailure('not-found', 'None of these images is in your library any more, so nothing was pushed.')
  const listing = await withRetries(() => listFolder(client, repo, BRANCH, IMAGES_DIR, signal), retry, signal)
  const there = new Set((listing ?? []).filter((e) => !e.isDir).map((e) => e.filename))
  const remoteFrame = await withRetries(() => readRepoFile(client, repo, BRANCH, FRAME_PATH, signal), retry, signal)
  const sources = await deps.queries.referenceSources(files.flatMap((f) => f.recipe.references))
  const frame = mergeFrame(parseFrame(remoteFrame), files.map((f) => frameRow(f, sources)))
  return {
    files,
    needed: files.filter((f) => !there.has(fileName(repoImagePath(f.image)))),
    frame,
    frameSha: sha256(frame),
    frameNeeded: !remoteFrame || !remoteFrame.equals(frame),
  }
}

function sentMessage(label: string, p: Plan, sentFrame: boolean, created: 'created' | 'exists', isPublic: boolean, left: number): string {
  const already = p.files.length - p.needed.length
  const images = p.needed.length > 0 ? `${plural(p.needed.length, 'new image')}` : ''
  const what = images && sentFrame ? `${images} and the data frame` : images || 'the data frame (ratings, picks or rows changed)'
  const head =
    created === 'created'
      ? `Created ${label} as a ${isPublic ? 'public' : 'private'} repository and sent ${what}`
      : `Sent ${what} to ${label}`
  const tail =
    already === 0
      ? '.'
      : p.needed.length === 0
        ? `; ${already === 1 ? 'the image was' : `all ${already} images were`} already there.`
        : `; ${already} ${already === 1 ? 'was' : 'were'} already there.`
  return head + tail + leftOut(left)
}

const leftOut = (n: number) =>
  n > 0 ? ` ${plural(n, 'image')} ${n === 1 ? 'is' : 'are'} no longer in your library and ${n === 1 ? 'was' : 'were'} left out.` : ''

/**
 * One push from its journal (new or interrupted). The journal is deleted when the push ends: committed, nothing to
 * send, cancelled (unless `keepOnAbort` says the app is closing), or refused for good; kept when the connection
 * dropped, Oxen answered 5xx, or the process stopped, so the next push or the next start resumes it.
 */
export async function runPush(
  deps: RepoSyncDeps,
  start: PushJournal,
  account: OxenAccount,
  control: TaskControl,
  keepOnAbort: () => boolean,
): Promise<TaskOutcome> {
  const repo: RepoTarget = { namespace: start.namespace, name: start.repo }
  const forget = () => deleteJournal(deps.stateDir, repo.namespace, repo.name)
  control.setUrl(repoPageUrl(deps.client(), repo.namespace, repo.name))
  try {
    const outcome = await pushFromJournal(deps, { ...start, staged: [...start.staged] }, account, control)
    await forget()
    return outcome
  } catch (error) {
    if (control.signal.aborted ? !keepOnAbort() : refusedForGood(error)) await forget()
    throw error
  }
}

async function pushFromJournal(deps: RepoSyncDeps, journal: PushJournal, account: OxenAccount, control: TaskControl): Promise<TaskOutcome> {
  const { signal } = control
  const client = deps.client()
  const retry = deps.retry ?? DEFAULT_RETRY
  const repo: RepoTarget = { namespace: journal.namespace, name: journal.repo }
  const label = `${repo.namespace}/${repo.name}`
  const save = () => saveJournal(deps.stateDir, journal)
  const created = await withRetries(
    () => createRepoIfMissing(client, account, repo.name, DESCRIPTION, { namespace: repo.namespace, isPublic: journal.isPublic }),
    retry,
    signal,
  )
  for (let attempt = 0; ; attempt++) {
    const p = await plan(deps, repo, journal, signal)
    const left = new Set(journal.imageIds).size - p.files.length
    if (p.needed.length === 0 && !p.frameNeeded) {
      const all = `all ${plural(p.files.length, 'image')} and the data frame`
      const landed = journal.phase === 'committing'
      return {
        message: landed
          ? `Your earlier push to ${label} did land: ${all} are there.${leftOut(left)}`
          : `Nothing new to send to ${label}: ${all} are already there, so nothing was committed.${leftOut(left)}`,
      }
    }
    const staged = new Set(journal.staged)
    const toSend = p.needed.filter((f) => !staged.has(repoImagePath(f.image)))
    // A frame staged earlier is replaced when ours changed since, even if the remote one is now current.
    const sendFrame = staged.has(FRAME_PATH) ? journal.frameSha256 !== p.frameSha : p.frameNeeded
    const total = p.needed.length + (p.frameNeeded ? 1 : 0)
    let done = total - toSend.length - (sendFrame && p.frameNeeded ? 1 : 0)
    control.progress(done, total)

    journal.workspaceId = await withRetries(() => getOrCreateWorkspace(client, repo, BRANCH, journal.workspaceId, signal), retry, signal)
    const staging = async (path: string, file: { filename: string; contentType: string; bytes: Buffer }, dir: string) => {
      await withRetries(
        () => addWorkspaceFile(client, repo, journal.workspaceId, dir, file, signal),
        retry,
        signal,
        (error) => deps.log.info('retrying a file add', { repo: label, path, error }),
      )
      if (!journal.staged.includes(path)) journal.staged.push(path)
      journal.phase = 'staging'
    }
    for (const f of toSend) {
      signal.throwIfAborted()
      const path = repoImagePath(f.image)
      await staging(path, { filename: fileName(path), contentType: IMAGE_FORMATS[f.image.format].mime, bytes: await readFile(f.path) }, IMAGES_DIR)
      await save()
      deps.checkpoint?.('push-file-staged')
      control.progress(++done, total)
    }
    if (sendFrame) {
      signal.throwIfAborted()
      await staging(FRAME_PATH, { filename: FRAME_PATH, contentType: 'application/jsonl', bytes: p.frame }, '')
      journal.frameSha256 = p.frameSha
      await save()
      deps.checkpoint?.('push-file-staged')
      if (p.frameNeeded) control.progress(++done, total)
    }

    signal.throwIfAborted()
    journal.phase = 'committing'
    await save()
    const outcome = await commitWorkspace(client, repo, journal.workspaceId, BRANCH, { message: journal.message, author: account }, signal)
    if (outcome.kind === 'committed') {
      return { message: sentMessage(label, p, p.frameNeeded, created, journal.isPublic, left) }
    }
    if (outcome.kind === 'conflict') {
      throw new OxenHttpFailure(
        'oxen-error',
        `Someone else committed to ${label} while Atelier was sending, so nothing was committed. Push again: Atelier will send only what the repository still lacks.`,
        409,
      )
    }
    if (outcome.kind === 'unknown') {
      const why = outcome.error.code === 'unreachable' ? 'the connection to Oxen dropped' : 'Oxen answered with a server error'
      throw new AppFailure(
        outcome.error.code,
        `${why[0]!.toUpperCase()}${why.slice(1)} while committing to ${label}, so Atelier can’t tell whether the commit landed. ` +
          'Push again (or restart Atelier): it checks the repository first and sends no file twice.',
        { cause: outcome.error },
      )
    }
    // no-changes: the workspace lost what was staged (Oxen dropped it). Stage everything again, once, in a new one.
    if (attempt > 0) throw new AppFailure('oxen-error', `Oxen kept nothing of what Atelier sent to ${label}, so nothing was committed. Try again later.`)
    deps.log.warn('the workspace had nothing to commit; staging again in a new workspace', { repo: label })
    Object.assign(journal, { workspaceId: randomUUID(), staged: [], frameSha256: null, phase: 'staging' })
    await save()
  }
}
