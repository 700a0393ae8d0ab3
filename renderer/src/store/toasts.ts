// Transient messages (a rejected request, a saved setting). Shown by <Toaster/>.
import { create } from 'zustand'

export type ToastTone = 'info' | 'success' | 'danger'

export interface ToastItem {
  id: number
  tone: ToastTone
  title: string
  message?: string
}

interface ToastState {
  toasts: ToastItem[]
  push: (toast: Omit<ToastItem, 'id'>) => void
  dismiss: (id: number) => void
}

let nextId = 1

export const useToasts = create<ToastState>()((set) => ({
  toasts: [],
  push: (toast) => set((s) => ({ toasts: [...s.toasts.slice(-3), { ...toast, id: nextId++ }] })),
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}))

export const toast = (t: Omit<ToastItem, 'id'>) => useToasts.getState().push(t)
