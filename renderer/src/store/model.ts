// Oxen's image models and the request form of the one the composer is on. The list is main's saved copy (it works
// offline; Refresh fetches it now). The form can fail (no key, no network, a schema Atelier cannot read): the composer
// says why and how to fix it; a key change refreshes both.
import { create } from 'zustand'
import type { AppError } from '../../../shared/contract'
import type { ModelCatalogue, ModelForm, ModelSummary } from '../../../shared/domain'
import { api } from '../bridge'
import { coalesce } from '../lib/coalesce'
import { settle } from '../lib/request'

const RECENT_KEY = 'atelier.recentModels'
const RECENT_MAX = 4

function readRecent(): string[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]')
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string').slice(0, RECENT_MAX) : []
  } catch {
    return []
  }
}

interface ModelState {
  /** null until main first answers. */
  catalogue: ModelCatalogue | null
  refreshing: boolean
  /** The model the composer is on: null until settings say which (or when they could not be read). */
  modelId: string | null
  /** `loading` keeps the form shown before (same model: still usable; another model: until the new one arrives). */
  status: 'idle' | 'loading' | 'ready' | 'error'
  form: ModelForm | null
  error: AppError | null
  /** Models picked lately, newest first (kept in this window's storage). */
  recent: string[]
  loadCatalogue: () => Promise<void>
  refresh: () => Promise<void>
  select: (modelId: string) => Promise<void>
  /** After a key change: the list may now refresh, and a form that failed may now load. */
  reload: () => Promise<void>
}

export const useModel = create<ModelState>()((set, get) => {
  const failed = (error: AppError): ModelCatalogue => ({ models: get().catalogue?.models ?? [], fetchedAt: get().catalogue?.fetchedAt ?? null, error: error.message })

  async function loadForm(modelId: string): Promise<void> {
    set({ modelId, status: 'loading', error: null })
    const result = await settle(api.getModelForm({ modelId }))
    // Another model was picked meanwhile: its own answer decides.
    if (get().modelId !== modelId) return
    set(result.ok ? { status: 'ready', form: result.value, error: null } : { status: 'error', form: null, error: result.error })
  }

  return {
    catalogue: null,
    refreshing: false,
    modelId: null,
    status: 'loading',
    form: null,
    error: null,
    recent: readRecent(),
    loadCatalogue: async () => {
      const result = await settle(api.listModels())
      set({ catalogue: result.ok ? result.value : failed(result.error) })
      // Never fetched (a first start): fetch now rather than show an empty list.
      if (result.ok && result.value.fetchedAt === null && !result.value.error) await get().refresh()
    },
    // A refresh asked for while one runs (a key saved meanwhile) runs once more after it.
    refresh: coalesce(async () => {
      set({ refreshing: true })
      const result = await settle(api.refreshModels())
      set({ refreshing: false, catalogue: result.ok ? result.value : failed(result.error) })
    }),
    select: async (modelId) => {
      const recent = [modelId, ...get().recent.filter((id) => id !== modelId)].slice(0, RECENT_MAX)
      set({ recent })
      try {
        localStorage.setItem(RECENT_KEY, JSON.stringify(recent))
      } catch {
        // storage full or blocked: the list lasts for this session
      }
      if (modelId !== get().modelId || get().status === 'error') await loadForm(modelId)
    },
    reload: async () => {
      const { modelId } = get()
      await Promise.all([get().refresh(), modelId ? loadForm(modelId) : undefined])
    },
  }
})

/** The form, once it is the chosen model's (while another loads, the old one is only shown). */
export const currentForm = (s: ModelState): ModelForm | null => (s.form && s.form.modelId === s.modelId ? s.form : null)

export function findModel(catalogue: ModelCatalogue | null, modelId: string | null | undefined): ModelSummary | undefined {
  return modelId ? catalogue?.models.find((m) => m.id === modelId) : undefined
}
