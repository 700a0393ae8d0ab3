// The library's copy of each result shown in Results (its star, rating, flag, trash state and recipe: what the
// image menu reads and changes). The library grid's own copy wins while it has the image loaded (it is patched at
// once by every action); otherwise main is asked, a few at a time, and asked again after a change it accepted.
import { create } from 'zustand'
import type { LibraryImage } from '../../../shared/domain'
import { api } from '../bridge'
import { settle } from '../lib/request'
import { findLibraryImage, useLibrary } from './library'

interface ResultImagesState {
  byId: Record<string, LibraryImage>
  /** Why an image could not be read (deleted from the library for good, say). */
  missing: Record<string, string>
}

export const useResultImages = create<ResultImagesState>()(() => ({ byId: {}, missing: {} }))

/** Main is asked this many images at a time. */
const CONCURRENCY = 4
const queue: string[] = []
const asking = new Set<string>()
let running = 0

function pump(): void {
  while (running < CONCURRENCY && queue.length > 0) {
    const id = queue.shift()!
    running++
    void settle(api.getImageDetail({ imageId: id }))
      .then((result) => {
        useResultImages.setState((s) => {
          const byId = { ...s.byId }
          const missing = { ...s.missing }
          if (result.ok) {
            byId[id] = result.value.image
            delete missing[id]
          } else if (result.error.code === 'not-found') {
            delete byId[id]
            missing[id] = result.error.message
          }
          return { byId, missing }
        })
      })
      .finally(() => {
        running--
        asking.delete(id)
        pump()
      })
  }
}

function ask(ids: readonly string[]): void {
  for (const id of ids) {
    if (asking.has(id)) continue
    asking.add(id)
    queue.push(id)
  }
  pump()
}

/** Makes sure these images are known: the ones neither the library grid nor this store has are asked for. */
export function wantResultImages(ids: readonly string[]): void {
  const { byId, missing } = useResultImages.getState()
  let known: Record<string, LibraryImage> | null = null
  const unknown: string[] = []
  for (const id of ids) {
    if (byId[id] || missing[id]) continue
    const loaded = findLibraryImage(id)
    if (loaded) (known ??= { ...byId })[id] = loaded
    else unknown.push(id)
  }
  if (known) useResultImages.setState({ byId: known })
  ask(unknown)
}

/** Reads these images again (after a change main accepted), if Results shows them. */
export function refreshResultImages(ids: readonly string[]): void {
  const { byId } = useResultImages.getState()
  ask(ids.length === 0 ? Object.keys(byId) : ids.filter((id) => byId[id]))
}

/** A result as best known: the library grid's copy (patched at once by every action), else the one read here. */
export function resultImage(id: string, byId: Record<string, LibraryImage>): LibraryImage | undefined {
  return findLibraryImage(id) ?? byId[id]
}

// The grid's copy is the freshest (optimistic changes land there): keep it, for when the grid moves on to other images.
useLibrary.subscribe((library, before) => {
  if (library.items === before.items) return
  const { byId } = useResultImages.getState()
  let changed: Record<string, LibraryImage> | null = null
  for (const id of Object.keys(byId)) {
    const fresh = findLibraryImage(id)
    if (fresh && fresh !== byId[id]) (changed ??= { ...byId })[id] = fresh
  }
  if (changed) useResultImages.setState({ byId: changed })
})
