// The job journal: what each job asked for, every enqueue with the exact body sent, and every generation Oxen
// made, in its own SQLite file. Written before each step happens, so a restart knows what was never sent, what
// may have been, and what Oxen accepted (and billed). Only the jobs room reads or writes it.
import type Database from 'libsql'
import type { z } from 'zod'
import type { JobNeeds, JobStatus, ParamValue, ReferenceSupply } from '../../../shared/domain'
import { GenerateRequestSchema, JobNeedsSchema } from '../../../shared/domain'
import { openDatabase } from '../sqlite'
import { JOURNAL_MIGRATIONS } from './journal-schema'

export type EnqueueState = 'pending' | 'sending' | 'accepted' | 'rejected' | 'unknown' | 'unconfirmed' | 'superseded' | 'cancelled'

export interface JournalJob {
  id: string
  createdAt: number
  modelId: string
  prompt: string
  count: number
  params: Record<string, ParamValue>
  references: string[]
  referenceSupply: ReferenceSupply | null
  referenceNote: string | null
  /** USD, when the model had a price. */
  estimate: number | null
  status: JobStatus
  error: string | null
  /** When it stopped running (unix ms); null while it runs (and for jobs that ended before this was recorded). */
  finishedAt: number | null
  needs: JobNeeds | null
  /** The request as validated, for Duplicate; null for jobs journaled before it was recorded. */
  request: ParsedGenerateRequest | null
}

export type ParsedGenerateRequest = z.output<typeof GenerateRequestSchema>
export type NewJournalJob = Omit<JournalJob, 'status' | 'error' | 'finishedAt' | 'needs'>

export interface JournalEnqueue {
  id: number
  jobId: string
  indexes: number[]
  body: Record<string, unknown>
  state: EnqueueState
  sentAt: number | null
  error: string | null
}

export interface JournalGeneration {
  id: string
  jobId: string
  enqueueId: number
  index: number
  status: string
  resultUrl: string | null
  error: string | null
}

export interface JournalEntry {
  job: JournalJob
  enqueues: JournalEnqueue[]
  generations: JournalGeneration[]
}

export interface Journal {
  /** The job and its first enqueues (all `pending`), in one transaction; returns the enqueue ids in order. */
  createJob(job: NewJournalJob, enqueues: { indexes: number[]; body: Record<string, unknown> }[]): number[]
  /** A further enqueue of a job (Send again, Retry), `pending`; returns its id. */
  addEnqueue(jobId: string, indexes: number[], body: Record<string, unknown>): number
  /** Outcome of an enqueue; `sending` also stamps the send time. */
  setEnqueueState(id: number, state: EnqueueState, error?: string | null): void
  /** The enqueue was accepted: its generation ids, matched to its image indexes in order, in one transaction. */
  accept(enqueueId: number, generationIds: string[]): void
  /**
   * Only `found` of an enqueue's images were found after its answer was lost: it keeps the first ones (accepted),
   * and the rest move to a new `unconfirmed` enqueue with the same body for that many images. Returns its id.
   */
  splitUnconfirmed(enqueueId: number, found: string[], error: string): number | null
  updateGeneration(id: string, patch: { status: string; resultUrl?: string | null; error?: string | null }): void
  /**
   * A job's status; leaving `running` records `finishedAt` (the engine's own stamp, so a restart shows the same time;
   * an end time recorded already is kept), going back to it clears it.
   */
  setJobStatus(jobId: string, status: JobStatus, error: string | null, needs: JobNeeds | null, finishedAt: number | null): void
  /** Takes finished jobs off the list for good (running ones are never hidden); returns how many. */
  hideJobs(jobIds: string[]): number
  /** Jobs still running plus the newest `recent` others not hidden, oldest first, each with its enqueues and generations. */
  load(recent: number): JournalEntry[]
  /**
   * Prompts sent (the composer's history): each text once, at the time it was last sent and with the model it went to
   * then, newest first; every word of `text` must appear in it (any case).
   */
  recentPrompts(text: string, limit: number): { prompt: string; modelId: string; at: number }[]
  close(): void
}

interface JobRow {
  id: string
  created_at: number
  model_id: string
  prompt: string
  count: number
  params: string
  refs: string
  reference_supply: string | null
  reference_note: string | null
  estimate: number | null
  status: string
  error: string | null
  finished_at: number | null
  needs: string | null
  request: string | null
}
interface EnqueueRow {
  id: number
  job_id: string
  indexes: string
  body: string
  state: EnqueueState
  sent_at: number | null
  error: string | null
}
interface GenerationRow {
  id: string
  job_id: string
  enqueue_id: number
  idx: number
  status: string
  result_url: string | null
  error: string | null
}

/** Distinct prompts read per query page while searching the history. */
const PROMPT_PAGE = 500

export function openJournal(path: string): Journal {
  const db: Database.Database = openDatabase(path, JOURNAL_MIGRATIONS)
  const sql = {
    insertJob: db.prepare(
      `INSERT INTO jobs (id, created_at, model_id, prompt, count, params, refs, reference_supply, reference_note, estimate, request, status)
       VALUES (@id, @createdAt, @modelId, @prompt, @count, @params, @refs, @referenceSupply, @referenceNote, @estimate, @request, 'running')`,
    ),
    insertEnqueue: db.prepare(`INSERT INTO enqueues (job_id, indexes, body, state) VALUES (@jobId, @indexes, @body, @state)`),
    setEnqueue: db.prepare(
      `UPDATE enqueues SET state = @state, error = @error,
         sent_at = CASE WHEN @state = 'sending' THEN @now ELSE sent_at END
       WHERE id = @id`,
    ),
    enqueue: db.prepare('SELECT * FROM enqueues WHERE id = @id'),
    setIndexes: db.prepare('UPDATE enqueues SET indexes = @indexes WHERE id = @id'),
    insertGeneration: db.prepare(
      `INSERT INTO generations (id, job_id, enqueue_id, idx, status, updated_at) VALUES (@id, @jobId, @enqueueId, @index, 'queued', @now)
       ON CONFLICT (id) DO NOTHING`,
    ),
    updateGeneration: db.prepare(
      `UPDATE generations SET status = @status, updated_at = @now,
         result_url = CASE WHEN @keepUrl THEN result_url ELSE @resultUrl END,
         error = CASE WHEN @keepError THEN error ELSE @error END
       WHERE id = @id`,
    ),
    setJob: db.prepare(
      `UPDATE jobs SET status = @status, error = @error, needs = @needs,
         finished_at = CASE WHEN @status = 'running' THEN NULL ELSE coalesce(finished_at, @finishedAt) END
       WHERE id = @id`,
    ),
    hideJob: db.prepare(`UPDATE jobs SET hidden_at = @now WHERE id = @id AND status <> 'running' AND hidden_at IS NULL`),
    loadJobs: db.prepare(
      `SELECT * FROM jobs
       WHERE status = 'running' OR id IN (SELECT id FROM jobs WHERE hidden_at IS NULL ORDER BY created_at DESC LIMIT @recent)
       ORDER BY created_at, id`,
    ),
    enqueuesOf: db.prepare('SELECT * FROM enqueues WHERE job_id = @jobId ORDER BY id'),
    generationsOf: db.prepare('SELECT * FROM generations WHERE job_id = @jobId ORDER BY enqueue_id, idx'),
    // Each text once; SQLite takes the bare model_id from the row of MAX(created_at).
    prompts: db.prepare(`SELECT prompt, model_id, MAX(created_at) AS at FROM jobs WHERE prompt <> '' GROUP BY prompt ORDER BY at DESC, prompt LIMIT @limit OFFSET @offset`),
  }

  const addEnqueue = (jobId: string, indexes: number[], body: Record<string, unknown>, state: EnqueueState = 'pending') =>
    Number(sql.insertEnqueue.run({ jobId, indexes: JSON.stringify(indexes), body: JSON.stringify(body), state }).lastInsertRowid)
  const enqueueRow = (id: number) => {
    const row = sql.enqueue.get({ id }) as EnqueueRow | undefined
    if (!row) throw new Error(`journal: no enqueue ${id}`)
    return row
  }
  const accept = (enqueueId: number, generationIds: string[]) => {
    const row = enqueueRow(enqueueId)
    const indexes = JSON.parse(row.indexes) as number[]
    generationIds.slice(0, indexes.length).forEach((id, i) => {
      sql.insertGeneration.run({ id, jobId: row.job_id, enqueueId, index: indexes[i]!, now: Date.now() })
    })
    sql.setEnqueue.run({ id: enqueueId, state: 'accepted', error: null, now: Date.now() })
  }

  return {
    createJob: db.transaction((job: NewJournalJob, enqueues: { indexes: number[]; body: Record<string, unknown> }[]) => {
      sql.insertJob.run({
        id: job.id,
        createdAt: job.createdAt,
        modelId: job.modelId,
        prompt: job.prompt,
        count: job.count,
        params: JSON.stringify(job.params),
        refs: JSON.stringify(job.references),
        referenceSupply: job.referenceSupply,
        referenceNote: job.referenceNote,
        estimate: job.estimate,
        request: job.request ? JSON.stringify(job.request) : null,
      })
      return enqueues.map((e) => addEnqueue(job.id, e.indexes, e.body))
    }),
    addEnqueue: (jobId, indexes, body) => addEnqueue(jobId, indexes, body),
    setEnqueueState(id, state, error = null) {
      sql.setEnqueue.run({ id, state, error, now: Date.now() })
    },
    accept: db.transaction(accept),
    splitUnconfirmed: db.transaction((enqueueId: number, found: string[], error: string) => {
      const row = enqueueRow(enqueueId)
      const indexes = JSON.parse(row.indexes) as number[]
      const rest = indexes.slice(found.length)
      accept(enqueueId, found)
      if (rest.length === 0) return null
      const body = { ...(JSON.parse(row.body) as Record<string, unknown>), num_generations: rest.length }
      sql.setIndexes.run({ id: enqueueId, indexes: JSON.stringify(indexes.slice(0, found.length)) })
      const id = addEnqueue(row.job_id, rest, body, 'unconfirmed')
      sql.setEnqueue.run({ id, state: 'unconfirmed', error, now: Date.now() })
      return id
    }),
    updateGeneration(id, patch) {
      sql.updateGeneration.run({
        id,
        status: patch.status,
        resultUrl: patch.resultUrl ?? null,
        error: patch.error ?? null,
        keepUrl: patch.resultUrl === undefined ? 1 : 0,
        keepError: patch.error === undefined ? 1 : 0,
        now: Date.now(),
      })
    },
    setJobStatus(jobId, status, error, needs, finishedAt) {
      sql.setJob.run({ id: jobId, status, error, needs, finishedAt: finishedAt ?? Date.now() })
    },
    hideJobs: db.transaction((jobIds: string[]) => {
      const now = Date.now()
      return jobIds.reduce((n, id) => n + Number(sql.hideJob.run({ id, now }).changes), 0)
    }),
    load(recent) {
      return (sql.loadJobs.all({ recent }) as JobRow[]).map((r) => ({
        job: {
          id: r.id,
          createdAt: r.created_at,
          modelId: r.model_id,
          prompt: r.prompt,
          count: r.count,
          params: JSON.parse(r.params) as Record<string, ParamValue>,
          references: JSON.parse(r.refs) as string[],
          referenceSupply: r.reference_supply === 'upload' || r.reference_supply === 'data-uri' ? r.reference_supply : null,
          referenceNote: r.reference_note,
          estimate: r.estimate,
          status: r.status as JobStatus,
          error: r.error,
          finishedAt: r.finished_at,
          needs: JobNeedsSchema.safeParse(r.needs).data ?? null,
          request: parseRequest(r.request),
        },
        enqueues: (sql.enqueuesOf.all({ jobId: r.id }) as EnqueueRow[]).map((e) => ({
          id: e.id,
          jobId: e.job_id,
          indexes: JSON.parse(e.indexes) as number[],
          body: JSON.parse(e.body) as Record<string, unknown>,
          state: e.state,
          sentAt: e.sent_at,
          error: e.error,
        })),
        generations: (sql.generationsOf.all({ jobId: r.id }) as GenerationRow[]).map((g) => ({
          id: g.id,
          jobId: g.job_id,
          enqueueId: g.enqueue_id,
          index: g.idx,
          status: g.status,
          resultUrl: g.result_url,
          error: g.error,
        })),
      }))
    },
    recentPrompts(text, limit) {
      const words = text.toLocaleLowerCase().split(/\s+/).filter(Boolean)
      const found: { prompt: string; modelId: string; at: number }[] = []
      // Matched here rather than in SQL (SQLite's lower() folds ASCII only: "Été" must find "été"), a page at a time.
      for (let offset = 0; found.length < limit; offset += PROMPT_PAGE) {
        const rows = sql.prompts.all({ limit: PROMPT_PAGE, offset }) as { prompt: string; model_id: string; at: number }[]
        for (const row of rows) {
          const folded = row.prompt.toLocaleLowerCase()
          if (found.length < limit && words.every((w) => folded.includes(w))) found.push({ prompt: row.prompt, modelId: row.model_id, at: row.at })
        }
        if (rows.length < PROMPT_PAGE) break
      }
      return found
    },
    close() {
      if (db.open) db.close()
    },
  }
}

/** A journaled request, if it still reads as one (a row journaled before requests were recorded has none). */
function parseRequest(json: string | null): ParsedGenerateRequest | null {
  if (!json) return null
  try {
    return GenerateRequestSchema.safeParse(JSON.parse(json)).data ?? null
  } catch {
    return null
  }
}
