// Which board dialog is open. Menus close as soon as an item is picked, so the dialogs they open live here.
import { create } from 'zustand'
import type { Board } from '../../../shared/domain'

export type BoardDialog =
  /** `imageIds`: images to put in the new board ("New board…" in Add to board). */
  | { kind: 'create'; imageIds: string[] }
  | { kind: 'rename'; board: Board }
  | { kind: 'delete'; board: Board }

export const useBoardDialog = create<{ dialog: BoardDialog | null; show: (dialog: BoardDialog) => void; close: () => void }>()((set) => ({
  dialog: null,
  show: (dialog) => set({ dialog }),
  close: () => set({ dialog: null }),
}))
