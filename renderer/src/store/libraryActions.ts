// Organising and reusing library images. Each change shows at once (optimistically), then main's answer is
// reconciled: counts are re-read, and a refused change is undone by re-reading the images.
import type { Result } from '../../../shared/contract'
import type { Board, ImageDetail, LibraryImage, ParamValue, PickFlag, ReferenceImage } from '../../../shared/domain'
import { api, isDesktop } from '../bridge'
import { settle } from '../lib/request'
import { useComposer, type ImageSlot, type RecipeReuse } from './composer'
import { useImageDetail } from './imageDetail'
import { findModel, useModel } from './model'
import { reloadLibrary, useLibrary } from './library'
import { useNavigation } from './navigation'
import { refreshResultImages } from './resultImages'
import { toast } from './toasts'
import { rememberComposer } from './undo'

const images = (n: number) => (n === 1 ? 'image' : 'images')
const counted = (n: number) => `${n} ${images(n)}`

/** After a change main accepted: counts may have moved, and the open image may be one of those changed. */
function reconcile(ids: readonly string[]): void {
  void useLibrary.getState().loadFacets()
  refreshResultImages(ids) // Results keeps its own copy of images the grid may not have loaded
  const open = useImageDetail.getState().imageId
  if (open && ids.includes(open)) void useImageDetail.getState().refresh()
}

/** After a change main refused: say so, and show the truth again. */
function refused(title: string, message: string): void {
  toast({ tone: 'danger', title, message })
  void reloadLibrary()
  void useLibrary.getState().loadFacets()
  void useImageDetail.getState().refresh()
}

function byId(ids: readonly string[]): LibraryImage[] {
  const which = new Set(ids)
  return useLibrary.getState().items.filter((i) => which.has(i.id))
}

// ---------- star ----------
export async function setStarred(ids: string[], starred: boolean): Promise<void> {
  if (ids.length === 0) return
  const library = useLibrary.getState()
  const changing = byId(ids).filter((i) => i.starred !== starred)
  library.patchItems(ids, (i) => ({ ...i, starred }))
  library.patchCounts({ starred: (starred ? 1 : -1) * changing.length })
  // In Starred, an unstarred image no longer belongs.
  if (!starred && library.scope.kind === 'starred') library.removeItems(ids)
  patchOpenImage(ids, (image) => ({ ...image, starred }))
  const result = await settle(api.setStarred({ imageIds: ids, starred }))
  if (!result.ok) refused(starred ? 'Could not star' : 'Could not unstar', result.error.message)
  else reconcile(ids)
}

/** S: stars the images unless every one is starred already, then unstars them. */
export function toggleStar(ids: string[]): Promise<void> {
  const targets = byId(ids)
  const open = useImageDetail.getState()
  const known = targets.length ? targets : open.image && ids.includes(open.image.id) ? [open.image] : []
  return setStarred(ids, !known.every((i) => i.starred))
}

// ---------- triage: ratings, picks, "keep the picks" ----------
/** Whether an image still belongs in the grid's rating and pick filters after its triage changed. */
function passesTriageFilters(image: LibraryImage): boolean {
  const { minRating, pick } = useLibrary.getState()
  if (minRating > 0 && image.rating < minRating) return false
  if (pick === 'picked') return image.pick === 1
  if (pick === 'unrejected') return image.pick !== -1
  if (pick === 'rejected') return image.pick === -1
  return true
}

/** Shows a rating or flag at once (an image the filters now leave out leaves the grid), then sends it. */
async function triage(
  ids: string[],
  patch: Partial<Pick<LibraryImage, 'rating' | 'pick'>>,
  send: () => Promise<Result<{ count: number }>>,
  failed: string,
): Promise<void> {
  if (ids.length === 0) return
  const library = useLibrary.getState()
  library.patchItems(ids, (i) => ({ ...i, ...patch }))
  const leaving = byId(ids).filter((i) => !passesTriageFilters(i))
  if (leaving.length) library.removeItems(leaving.map((i) => i.id))
  patchOpenImage(ids, (image) => ({ ...image, ...patch }))
  const result = await settle(send())
  if (!result.ok) refused(failed, result.error.message)
  else reconcile(ids)
}

/** 1–5 stars; 0 clears the rating. */
export function setRating(ids: string[], rating: number): Promise<void> {
  return triage(ids, { rating }, () => api.setRating({ imageIds: ids, rating }), rating ? 'Could not rate' : 'Could not clear the rating')
}

/** 1 pick, -1 reject, 0 neither. */
export function setPick(ids: string[], pick: PickFlag): Promise<void> {
  const failed = pick === 1 ? 'Could not pick' : pick === -1 ? 'Could not reject' : 'Could not unflag'
  return triage(ids, { pick }, () => api.setPick({ imageIds: ids, pick }), failed)
}

/** The triage keys (1–5 rate, 0 clears, P pick, X reject, U unflag) as what they set; null for any other key. */
export function triageKey(key: string): { rating: number } | { pick: PickFlag } | null {
  if (/^[0-5]$/.test(key)) return { rating: Number(key) }
  const pick = ({ p: 1, x: -1, u: 0 } as const)[key.toLowerCase() as 'p' | 'x' | 'u']
  return pick === undefined ? null : { pick }
}

/** Applies a triage key's change to the images. */
export function applyTriage(ids: string[], change: { rating: number } | { pick: PickFlag }): Promise<void> {
  return 'rating' in change ? setRating(ids, change.rating) : setPick(ids, change.pick)
}

/** "Keep the picks, trash the rest": the job's images that are not picks go to the trash, with an Undo that restores exactly those. */
export async function keepPicksTrashRest(image: LibraryImage): Promise<void> {
  const library = useLibrary.getState()
  const queryKey = keyOfQuery()
  const shown = library.items.filter((i) => i.jobId === image.jobId && i.pick !== 1 && i.trashedAt === undefined)
  if (library.scope.kind !== 'trash') library.removeItems(shown.map((i) => i.id))
  const result = await settle(api.trashUnpicked({ jobId: image.jobId }))
  if (!result.ok) {
    refused('Nothing was moved to the trash', result.error.message)
    return
  }
  const trashed = result.value.imageIds
  // Main decided which: ones not loaded here went too, and one picked meanwhile elsewhere stayed.
  if (library.scope.kind !== 'trash') {
    library.removeItems(trashed)
    if (shown.some((i) => !trashed.includes(i.id))) void reloadLibrary()
  }
  const trashedAt = Date.now()
  patchOpenImage(trashed, (i) => ({ ...i, trashedAt }))
  reconcile(trashed)
  if (trashed.length === 0) {
    toast({ tone: 'info', title: 'Nothing to trash', message: 'Every image of this job that is not in the trash is a pick.' })
    return
  }
  toast({
    tone: 'info',
    title: `Kept the picks, moved ${counted(trashed.length)} to the trash`,
    message: trashed.length === 1 ? 'It stays there until you empty the trash.' : 'They stay there until you empty the trash.',
    action: {
      label: 'Undo',
      altText: 'Open Trash in the library sidebar to restore them.',
      run: () => void restoreImages(trashed, keyOfQuery() === queryKey ? shown.filter((i) => trashed.includes(i.id)) : []),
    },
  })
}

function patchOpenImage(ids: readonly string[], patch: (image: LibraryImage) => LibraryImage): void {
  useImageDetail.setState((s) => {
    if (!s.imageId || !ids.includes(s.imageId)) return {}
    return {
      image: s.image ? patch(s.image) : s.image,
      detail: s.detail ? { ...s.detail, image: patch(s.detail.image) } : s.detail,
    }
  })
}

// ---------- trash ----------
export async function moveToTrash(ids: string[]): Promise<void> {
  if (ids.length === 0) return
  const library = useLibrary.getState()
  const taken = byId(ids)
  const queryKey = keyOfQuery()
  const trashedAt = Date.now()
  if (library.scope.kind !== 'trash') library.removeItems(ids)
  library.patchCounts({ all: -ids.length, trash: ids.length, starred: -taken.filter((i) => i.starred).length })
  patchOpenImage(ids, (image) => ({ ...image, trashedAt }))
  const result = await settle(api.trashImages({ imageIds: ids }))
  if (!result.ok) {
    refused('Could not move to the trash', result.error.message)
    return
  }
  reconcile(ids)
  toast({
    tone: 'info',
    title: ids.length === 1 ? 'Moved to the trash' : `Moved ${counted(ids.length)} to the trash`,
    message: ids.length === 1 ? 'It stays there until you empty the trash.' : 'They stay there until you empty the trash.',
    action: {
      label: 'Undo',
      altText: 'Open Trash in the library sidebar to restore them.',
      run: () => void restoreImages(ids, keyOfQuery() === queryKey ? taken : []),
    },
  })
}

/** Brings images back from the trash; `shown` are their grid copies to put straight back (an undo). */
export async function restoreImages(ids: string[], shown: LibraryImage[] = []): Promise<void> {
  if (ids.length === 0) return
  const library = useLibrary.getState()
  if (library.scope.kind === 'trash') library.removeItems(ids)
  else if (shown.length) library.insertItems(shown.map(({ trashedAt: _gone, ...image }) => image))
  library.patchCounts({ all: ids.length, trash: -ids.length, starred: shown.filter((i) => i.starred).length })
  patchOpenImage(ids, ({ trashedAt: _gone, ...image }) => image)
  const result = await settle(api.restoreImages({ imageIds: ids }))
  if (!result.ok) {
    refused('Could not restore', result.error.message)
    return
  }
  reconcile(ids)
  if (library.scope.kind !== 'trash') void reloadLibrary()
  if (!shown.length) toast({ tone: 'success', title: ids.length === 1 ? 'Restored' : `Restored ${counted(ids.length)}` })
}

export async function emptyTrash(): Promise<void> {
  const library = useLibrary.getState()
  const open = useImageDetail.getState()
  if (library.scope.kind === 'trash') library.removeItems(library.items.map((i) => i.id))
  library.patchCounts({ trash: -(library.facets?.counts.trash ?? 0) })
  if (open.image?.trashedAt !== undefined) open.close()
  const result = await settle(api.emptyTrash())
  if (!result.ok) refused('Could not empty the trash', result.error.message)
  else {
    reconcile([])
    toast({ tone: 'success', title: 'Trash emptied', message: `${counted(result.value.count)} deleted for good.` })
  }
}

/** What the grid was showing, to know whether an undo can put images straight back where they were. */
function keyOfQuery(): string {
  const s = useLibrary.getState()
  return JSON.stringify([s.queriedText, s.scope, s.modelIds, s.sizes, s.aspects, s.formats, s.from, s.to, s.minRating, s.pick, s.sort])
}

// ---------- boards ----------
/** Answers the new board, or main's sentence for why not. */
export async function createBoard(name: string): Promise<Board | string> {
  const result = await settle(api.createBoard({ name }))
  if (!result.ok) return result.error.message
  void useLibrary.getState().loadFacets()
  return result.value
}

export async function renameBoard(boardId: string, name: string): Promise<string | null> {
  const result = await settle(api.renameBoard({ boardId, name }))
  if (!result.ok) return result.error.message
  void useLibrary.getState().loadFacets()
  return null
}

export async function deleteBoard(board: Board): Promise<void> {
  const library = useLibrary.getState()
  if (library.scope.kind === 'board' && library.scope.boardId === board.id) library.setScope({ kind: 'all' })
  const result = await settle(api.deleteBoard({ boardId: board.id }))
  if (!result.ok) refused(`Could not delete “${board.name}”`, result.error.message)
  else {
    void library.loadFacets()
    toast({ tone: 'info', title: `Deleted the board “${board.name}”`, message: 'Its images are still in your library.' })
  }
}

export async function addToBoard(board: Pick<Board, 'id' | 'name'>, ids: string[]): Promise<void> {
  if (ids.length === 0) return
  const result = await settle(api.addToBoard({ boardId: board.id, imageIds: ids }))
  if (!result.ok) {
    toast({ tone: 'danger', title: `Could not add to “${board.name}”`, message: result.error.message })
    return
  }
  reconcile(ids)
  const library = useLibrary.getState()
  if (library.scope.kind === 'board' && library.scope.boardId === board.id) void reloadLibrary()
  toast({ tone: 'success', title: `Added ${ids.length === 1 ? 'the image' : counted(ids.length)} to “${board.name}”` })
}

/** Creates a board named `name` and puts the images in it ("New board…" in the Add to board menu). */
export async function addToNewBoard(name: string, ids: string[]): Promise<string | null> {
  const board = await createBoard(name)
  if (typeof board === 'string') return board
  await addToBoard(board, ids)
  return null
}

export async function removeFromBoard(board: Pick<Board, 'id' | 'name'>, ids: string[]): Promise<void> {
  if (ids.length === 0) return
  const library = useLibrary.getState()
  if (library.scope.kind === 'board' && library.scope.boardId === board.id) library.removeItems(ids)
  const result = await settle(api.removeFromBoard({ boardId: board.id, imageIds: ids }))
  if (!result.ok) refused(`Could not remove from “${board.name}”`, result.error.message)
  else {
    reconcile(ids)
    toast({ tone: 'info', title: `Removed ${ids.length === 1 ? 'the image' : counted(ids.length)} from “${board.name}”` })
  }
}

// ---------- out of the app ----------
export async function exportImages(ids: string[], as: 'folder' | 'zip'): Promise<void> {
  if (ids.length === 0) return
  const result = await settle(api.exportImages({ imageIds: ids, as }))
  if (!result.ok) {
    toast({ tone: 'danger', title: 'Could not export', message: result.error.message })
    return
  }
  // Nothing written: the user closed the save dialog.
  if (result.value.count === 0) return
  toast({
    tone: 'success',
    title: as === 'zip' ? `Exported ${counted(result.value.count)} as a zip` : `Exported ${counted(result.value.count)}`,
    message: result.value.location,
  })
}

/** PNG bytes of an image (the only image type web clipboards take). */
async function pngOf(image: LibraryImage): Promise<Blob> {
  const response = await fetch(image.url)
  if (!response.ok) throw new Error(`The image could not be read (${response.status}).`)
  const blob = await response.blob()
  if (blob.type === 'image/png') return blob
  const bitmap = await createImageBitmap(blob)
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height)
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0)
  bitmap.close()
  return canvas.convertToBlob({ type: 'image/png' })
}

export async function copyImage(image: LibraryImage): Promise<void> {
  const result = await settle(api.copyImage({ imageId: image.id }))
  if (result.ok) {
    toast({ tone: 'success', title: 'Image copied' })
    return
  }
  if (isDesktop) {
    toast({ tone: 'danger', title: 'Could not copy the image', message: result.error.message })
    return
  }
  // The browser harness has no native clipboard in main: the page's own clipboard takes the full image.
  try {
    await navigator.clipboard.write([new ClipboardItem({ 'image/png': pngOf(image) })])
    toast({ tone: 'success', title: 'Image copied', message: 'Copied as PNG.' })
  } catch {
    toast({ tone: 'danger', title: 'Could not copy the image', message: `${result.error.message} The browser did not allow copying it either.` })
  }
}

export async function revealImage(image: LibraryImage): Promise<void> {
  const result = await settle(api.revealImage({ imageId: image.id }))
  if (!result.ok) toast({ tone: isDesktop ? 'danger' : 'info', title: 'Could not show the file', message: result.error.message })
}

export async function copyText(text: string, what: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text)
    toast({ tone: 'success', title: `${what} copied` })
  } catch {
    toast({ tone: 'danger', title: `Could not copy the ${what.toLowerCase()}`, message: 'The clipboard is not available. Select the text and copy it instead.' })
  }
}

// ---------- reuse ----------
export type ReuseWhat = 'all' | 'prompt' | 'params'

const REUSED = { all: 'Settings reused', prompt: 'Prompt reused', params: 'Parameters reused' } as const

/** A recipe to reuse: a library image's, or a job's (its references fetched only when needed). */
export interface ReuseSource {
  modelId: string
  prompt: string
  params: Record<string, ParamValue>
  /** How many references it was made with. */
  referenceCount: number
  /** The references still stored, or why they could not be read. */
  references: () => Promise<ReferenceImage[] | string>
}

/** Fills the composer from an image's recipe and goes to Create (see RecipeReuse for what each one takes). */
export function reuse(image: LibraryImage, what: ReuseWhat): Promise<void> {
  return reuseRecipe(
    {
      modelId: image.modelId,
      prompt: image.prompt,
      params: image.params,
      referenceCount: image.references.length,
      references: async () => {
        const detail = await referencesOf(image)
        return typeof detail === 'string' ? detail : detail.references
      },
    },
    what,
  )
}

/** The one way a recipe fills the composer, an image's (reuse) or a job's, and goes to Create. */
export async function reuseRecipe(image: ReuseSource, what: ReuseWhat): Promise<void> {
  const recipe: RecipeReuse = {}
  if (what !== 'params') recipe.prompt = image.prompt
  if (what !== 'prompt') recipe.params = image.params
  let missing = 0
  if (what === 'all') {
    const references = await image.references()
    if (typeof references === 'string') {
      toast({ tone: 'danger', title: 'Could not reuse the settings', message: references })
      return
    }
    recipe.references = references
    missing = image.referenceCount - references.length
  }
  // All settings means the model too: the one that made the image, while Oxen still lists it.
  const model = useModel.getState()
  const gone = what === 'all' && model.modelId !== image.modelId && !findModel(model.catalogue, image.modelId)
  // What the composer held comes back with the toast's Undo (or Ctrl/Cmd+Z in Create).
  const undo = rememberComposer(REUSED[what])
  if (what === 'all' && !gone && model.modelId !== image.modelId) await model.select(image.modelId)
  const { skipped } = useComposer.getState().reuse(recipe)
  useImageDetail.getState().close()
  useNavigation.getState().go('create')
  const notes = [
    gone ? `${image.modelId} is no longer in Oxen’s list of models, so the composer stays on the model it has.` : '',
    skipped.length ? `Not available in this model any more, so left as they were: ${skipped.join(', ')}.` : '',
    missing > 0 ? `${missing === 1 ? 'One reference image is' : `${missing} reference images are`} no longer stored and could not be added.` : '',
  ].filter(Boolean)
  undo.shownIn(toast({ tone: notes.length ? 'info' : 'success', title: REUSED[what], ...(notes.length ? { message: notes.join(' ') } : {}), action: undo.action }))
}

async function referencesOf(image: LibraryImage): Promise<ImageDetail | string> {
  const open = useImageDetail.getState()
  if (open.detail?.image.id === image.id) return open.detail
  if (image.references.length === 0) return { image, references: [], usedIn: [], boardIds: [] }
  const result = await settle(api.getImageDetail({ imageId: image.id }))
  return result.ok ? result.value : result.error.message
}

/** Adds images to one of the composer's slots: the references, or the mask (staying in the library, so several can be picked). */
export async function useAsReference(ids: string[], slot: ImageSlot = 'input'): Promise<void> {
  if (ids.length === 0) return
  const composer = useComposer.getState()
  const before = new Set(composer.images[slot].map((t) => t.key))
  await Promise.all(ids.map((id) => composer.addLibraryImage(slot, id)))
  const { images, imageProblems } = useComposer.getState()
  // New tiles, also where one took the place of another (a slot that holds one image).
  const added = images[slot].filter((t) => !before.has(t.key)).length
  const problems = imageProblems[slot]
  const mask = slot === 'mask'
  if (added > 0) {
    // On Create the slot shows it; elsewhere a toast says where it went.
    if (useNavigation.getState().view === 'create') return
    toast({
      tone: 'success',
      title: mask ? 'Set as the mask' : added === 1 ? 'Added to the reference images' : `Added ${added} reference images`,
      ...(mask ? {} : { message: `The composer has ${images.input.length} now.` }),
      action: { label: 'Go to Create', altText: 'Open Create from the main navigation.', run: () => useNavigation.getState().go('create') },
    })
  } else if (problems.length) {
    toast({ tone: 'danger', title: mask ? 'Not set as the mask' : 'Not added to the reference images', message: problems[problems.length - 1]!.message })
  }
}
