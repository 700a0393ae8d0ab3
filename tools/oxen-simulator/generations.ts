// Generation rows and their lifecycle: queued → processing → succeeded | failed | cancelled (API.md §5),
// driven by unref'd timers. Model fields are checked against the model's own schema when processing ends; a
// bad one fails the job, as does a stopped custom model. Reference images are loaded while the job processes;
// one that cannot be loaded fails the job.
import { randomUUID } from 'node:crypto'
import { outputSpec, type OutputSpec } from './geometry'
import { generationCost, type ImageModel } from './models'
import { checkFields, referenceUrls } from './params'
import type { ReferenceOutcome } from './references'

export type GenerationStatus = 'queued' | 'processing' | 'succeeded' | 'failed' | 'cancelled'

export const TERMINAL: ReadonlySet<GenerationStatus> = new Set(['succeeded', 'failed', 'cancelled'])

/** Where results are stored: `/api/repos/{ns}/{RESULT_REPO}/file/main/{RESULT_DIRECTORY}/{id}.{ext}`. */
export const RESULT_REPO = 'ai-outputs'
export const RESULT_DIRECTORY = 'generations'

export interface User {
  id: string
  key: string
  username: string
  name: string
  email: string
}

export interface Generation {
  id: string
  owner: User
  model: ImageModel
  /** null when the request had none (an upscaler takes no prompt). */
  prompt: string | null
  /** Position within its enqueue (0-based); with the prompt and seed it fixes the image. */
  index: number
  seed: number | null
  /** Model fields as sent (everything but model/prompt/num_generations), echoed on the row. */
  fields: Record<string, unknown>
  status: GenerationStatus
  errorMessage: string | null
  enqueuedAt: number
  startedAt: number | null
  completedAt: number | null
  targetNamespace: string
  output: OutputSpec | null
  /** USD billed if it succeeds (failed and cancelled jobs cost nothing). */
  cost: number
  /** Seeded history only (history.ts): a non-image row, shown under this model id. */
  mediaType?: 'image' | 'video'
  modelName?: string
  /** Seeded history only: list reads mint result URLs that have already expired. */
  staleListUrls?: boolean
}

/** What a fault policy may decide for a generation when it would finish; null = run normally. */
export type GenerationOutcome = { fail: string } | { stuck: true } | null

export interface LifecycleOptions {
  queuedMs: number
  processingMs: number
  /** Called once when a generation reaches succeeded or failed (not cancelled). */
  onFinished: (generation: Generation) => void
  /** Fault hook consulted as processing ends. */
  outcome?: (generation: Generation) => GenerationOutcome
  /** Loads the reference images (started when processing starts, if the fields are valid). */
  loadReferences?: (references: string[]) => Promise<ReferenceOutcome>
}

const NO_REFERENCES: ReferenceOutcome = { ok: true, first: null }

/** Why the model cannot run these fields (message wording ours), or null. */
function runError(generation: Generation): string | null {
  const { model, fields } = generation
  if (model.stopped) return `Model ${model.id} is not deployed: its deployment is stopped. Activate it to run generations.`
  return checkFields(model.schema, fields)
}

export class GenerationStore {
  private readonly rows = new Map<string, Generation>()
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private readonly waiters = new Map<string, Array<() => void>>()
  private readonly references = new Map<string, Promise<ReferenceOutcome>>()
  private disposed = false

  constructor(private readonly options: LifecycleOptions) {}

  get count(): number {
    return this.rows.size
  }

  create(
    owner: User,
    model: ImageModel,
    prompt: string | null,
    index: number,
    fields: Record<string, unknown>,
    targetNamespace: string,
  ): Generation {
    const generation: Generation = {
      id: randomUUID(),
      owner,
      model,
      prompt,
      index,
      seed: typeof fields.seed === 'number' && Number.isFinite(fields.seed) ? fields.seed : null,
      fields,
      status: 'queued',
      errorMessage: null,
      enqueuedAt: Date.now(),
      startedAt: null,
      completedAt: null,
      targetNamespace,
      output: null,
      cost: generationCost(model, fields),
    }
    this.rows.set(generation.id, generation)
    this.schedule(generation, this.options.queuedMs, () => this.start(generation))
    return generation
  }

  /** Adds a finished row as it is (seeded history): no timers, no events. */
  insert(generation: Generation): void {
    this.rows.set(generation.id, generation)
  }

  /** Any generation by id, whoever owns it (presigned downloads carry no key). */
  find(id: string): Generation | undefined {
    return this.rows.get(id)
  }

  /** A generation as its owner sees it; other users' ids look unknown. */
  visible(owner: User, id: string): Generation | undefined {
    const generation = this.rows.get(id)
    return generation?.owner.id === owner.id ? generation : undefined
  }

  ownedBy(owner: User): Generation[] {
    return [...this.rows.values()].filter((g) => g.owner.id === owner.id)
  }

  /** Cancels a queued or processing job; terminal jobs are left as they are. */
  cancel(generation: Generation): void {
    if (TERMINAL.has(generation.status)) return
    this.settle(generation, 'cancelled', null)
  }

  /** Resolves once the generation is terminal. */
  settled(generation: Generation): Promise<void> {
    if (TERMINAL.has(generation.status)) return Promise.resolve()
    return new Promise((resolve) => {
      const list = this.waiters.get(generation.id) ?? []
      list.push(resolve)
      this.waiters.set(generation.id, list)
    })
  }

  dispose(): void {
    this.disposed = true
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
  }

  private start(generation: Generation): void {
    generation.status = 'processing'
    generation.startedAt = Date.now()
    if (this.options.loadReferences && runError(generation) === null) {
      const references = referenceUrls(generation.model.schema, generation.fields)
      if (references.length > 0) this.references.set(generation.id, this.options.loadReferences(references))
    }
    this.schedule(generation, this.options.processingMs, () => void this.finish(generation))
  }

  private async finish(generation: Generation): Promise<void> {
    const loading = this.references.get(generation.id) ?? Promise.resolve(NO_REFERENCES)
    this.references.delete(generation.id)
    const outcome = this.options.outcome?.(generation) ?? null
    if (outcome && 'stuck' in outcome) return // stays 'processing' until cancelled
    let error = outcome?.fail ?? runError(generation)
    let reference = null
    if (!error) {
      const loaded = await loading
      if (this.disposed || generation.status !== 'processing') return // cancelled or shut down meanwhile
      if (loaded.ok) reference = loaded.first
      else error = loaded.error
    }
    if (error) {
      this.settle(generation, 'failed', error)
    } else {
      generation.output = outputSpec(generation.fields, reference, generation.model.schema)
      this.settle(generation, 'succeeded', null)
    }
    this.options.onFinished(generation)
  }

  private settle(generation: Generation, status: GenerationStatus, errorMessage: string | null): void {
    const timer = this.timers.get(generation.id)
    if (timer) clearTimeout(timer)
    this.timers.delete(generation.id)
    generation.status = status
    generation.errorMessage = errorMessage
    generation.completedAt = Date.now()
    for (const resolve of this.waiters.get(generation.id) ?? []) resolve()
    this.waiters.delete(generation.id)
  }

  private schedule(generation: Generation, delayMs: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(generation.id)
      run()
    }, delayMs)
    timer.unref()
    this.timers.set(generation.id, timer)
  }
}
