// Follow-ups on an image: Upscale, Edit with…, Vary. Each opens the composer on the chosen model with the image
// already in its input field (added from the library, so the new images are linked to it: "made from" / "used in").
import type { LibraryImage, ModelCatalogue, ModelSummary, ParamValue } from '../../../shared/domain'
import { seedField, useComposer } from './composer'
import { useImageDetail } from './imageDetail'
import { currentForm, findModel, useModel } from './model'
import { useNavigation } from './navigation'
import { toast } from './toasts'
import { rememberComposer } from './undo'

export type FollowUp = 'upscale' | 'edit' | 'vary'

/** A fine-tune makes images only while its deployment runs. */
const usable = (m: ModelSummary) => m.takes.images && (m.custom === undefined || m.custom.deployment === 'running')

/**
 * The models a follow-up can use, most recently picked first: upscalers for Upscale; for Edit with… and Vary, the
 * models that change a given image (edit models, and generators that take reference images).
 */
export function followUpModels(catalogue: ModelCatalogue | null, how: FollowUp, recent: readonly string[]): ModelSummary[] {
  const models = (catalogue?.models ?? []).filter((m) => usable(m) && (how === 'upscale' ? m.kind === 'upscale' : m.kind !== 'upscale'))
  const rank = (m: ModelSummary) => {
    const at = recent.indexOf(m.id)
    return at < 0 ? recent.length : at
  }
  return models.map((m, i) => ({ m, i })).sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i).map(({ m }) => m)
}

/** Vary stays on the model that made the image when it takes images; otherwise the first edit model. */
export function varyModel(catalogue: ModelCatalogue | null, image: LibraryImage, recent: readonly string[]): ModelSummary | undefined {
  const candidates = followUpModels(catalogue, 'vary', recent)
  return candidates.find((m) => m.id === image.modelId) ?? candidates.find((m) => m.kind === 'edit') ?? candidates[0]
}

const TITLES: Record<FollowUp, string> = { upscale: 'Ready to upscale', edit: 'Ready to edit', vary: 'Ready for a variation' }
/** What Undo says it undid. */
const CHANGES: Record<FollowUp, string> = { upscale: 'Upscale', edit: 'Edit with…', vary: 'Vary' }

/**
 * Switches the composer to `modelId`, puts the image alone in its input field and goes to Create. Vary also brings
 * the image's prompt and parameters (the seed left random, so each image differs); Upscale and Edit keep the prompt
 * and parameters the composer has.
 */
export async function followUp(image: LibraryImage, how: FollowUp, modelId: string): Promise<void> {
  const model = useModel.getState()
  const name = findModel(model.catalogue, modelId)?.displayName ?? modelId
  // The model, prompt, parameters and images the composer had come back with Undo (or Ctrl/Cmd+Z in Create).
  const undo = rememberComposer(CHANGES[how])
  await model.select(modelId)
  const { status, error } = useModel.getState()
  if (status === 'error' || useModel.getState().modelId !== modelId) {
    const undoable = status === 'error' && useModel.getState().modelId === modelId
    if (!undoable) undo.discard()
    const id = toast({ tone: 'danger', title: `Could not open ${name}`, message: error?.message ?? 'Another model was picked meanwhile.', ...(undoable ? { action: undo.action } : {}) })
    if (undoable) undo.shownIn(id)
    return
  }
  const composer = useComposer.getState()
  if (how === 'vary') {
    composer.reuse({ prompt: image.prompt, params: withoutSeed(image.params) })
    composer.setSeed({ mode: 'random' })
  }
  composer.clearImages('input')
  useImageDetail.getState().close()
  useNavigation.getState().go('create')
  await composer.addLibraryImage('input', image.id)
  const problem = useComposer.getState().imageProblems.input.at(-1)
  if (!useComposer.getState().images.input.some((t) => t.status === 'ready')) {
    undo.shownIn(toast({ tone: 'danger', title: `Could not add the image to ${name}`, message: problem?.message ?? 'It is no longer in the library.', action: undo.action }))
    return
  }
  undo.shownIn(toast({ tone: 'success', title: TITLES[how], message: `${name} has the image as its input. Press Generate when ready.`, action: undo.action }))
}

/** The recorded params less the seed the image was made with: a variation draws a new one. */
function withoutSeed(params: Record<string, ParamValue>): Record<string, ParamValue> {
  const seed = seedField(currentForm(useModel.getState()))
  return Object.fromEntries(Object.entries(params).filter(([name]) => name !== seed?.name))
}
