// Transient messages (a rejected request, a saved setting, an undoable change). Shown by <Toaster/>.
import { create } from 'zustand'

export type ToastTone = 'info' | 'success' | 'danger'

export interface ToastAction {
  /** The button's text ("Undo"). */
  label: string
  /** What a screen reader user is told to do instead, since toasts may vanish before they reach it. */
  altText: string
  run: () => void
}

export interface ToastItem {
  id: number
  tone: ToastTone
  title: string
  message?: string
  action?: ToastAction
}

interface ToastState {
  toasts: ToastItem[]
  push: (toast: Omit<ToastItem, 'id'>) => number
  dismiss: (id: number) => void
}

let nextId = 1

export const useToasts = create<ToastState>()((set) => ({
  toasts: [],
  push: (toast) => {
    const id = nextId++
    set((s) => ({ toasts: [...s.toasts.slice(-3), { ...toast, id }] }))
    return id
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}))

export const toast = (t: Omit<ToastItem, 'id'>) => useToasts.getState().push(t)
