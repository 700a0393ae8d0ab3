// What the user is composing. Lives in a store so switching views keeps the prompt and choices.
import { create } from 'zustand'
import type { FormField, ModelForm, ParamValue } from '../../../shared/domain'
import { MAX_IMAGES, MIN_IMAGES } from '../../../shared/domain'
import { api } from '../bridge'
import { settle } from '../lib/request'
import { toast } from './toasts'

/** The fields the composer renders as controls (the prompt and reference images have their own UI). */
export function paramFields(form: ModelForm): FormField[] {
  return form.fields.filter((f) => f.name !== form.promptField && f.kind !== 'images')
}

function initialValue(field: FormField): ParamValue | undefined {
  switch (field.kind) {
    case 'enum':
      return field.default ?? field.options[0]
    case 'boolean':
      return field.default ?? false
    case 'number':
    case 'text':
      return field.default
    case 'images':
      return undefined
  }
}

/** A previous choice survives a form reload if the field still accepts it. */
function stillValid(field: FormField, value: ParamValue | undefined): value is ParamValue {
  if (value === undefined) return false
  switch (field.kind) {
    case 'enum':
      return typeof value === 'string' && field.options.includes(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'number':
      return typeof value === 'number'
    case 'text':
      return typeof value === 'string'
    case 'images':
      return false
  }
}

const clampCount = (n: number) => Math.min(MAX_IMAGES, Math.max(MIN_IMAGES, Math.round(n)))

interface ComposerState {
  prompt: string
  count: number
  params: Record<string, ParamValue>
  submitting: boolean
  /** "More options" stays open across view switches once the user opened it. */
  moreOpen: boolean
  setMoreOpen: (open: boolean) => void
  setPrompt: (prompt: string) => void
  setCount: (count: number) => void
  setParam: (name: string, value: ParamValue | undefined) => void
  adoptForm: (form: ModelForm) => void
  generate: () => Promise<boolean>
}

export const useComposer = create<ComposerState>()((set, get) => ({
  prompt: '',
  count: 4,
  params: {},
  submitting: false,
  moreOpen: false,
  setMoreOpen: (moreOpen) => set({ moreOpen }),
  setPrompt: (prompt) => set({ prompt }),
  setCount: (count) => set({ count: Number.isFinite(count) ? clampCount(count) : MIN_IMAGES }),
  setParam: (name, value) =>
    set((s) => {
      const params = { ...s.params }
      if (value === undefined) delete params[name]
      else params[name] = value
      return { params }
    }),
  adoptForm: (form) =>
    set((s) => {
      const params: Record<string, ParamValue> = {}
      for (const field of paramFields(form)) {
        const previous = s.params[field.name]
        const value = stillValid(field, previous) ? previous : initialValue(field)
        if (value !== undefined) params[field.name] = value
      }
      return { params }
    }),
  generate: async () => {
    const { prompt, count, params, submitting } = get()
    if (submitting) return false
    set({ submitting: true })
    const result = await settle(api.generate({ prompt, count, params }))
    set({ submitting: false })
    if (!result.ok) toast({ tone: 'danger', title: 'Could not start generating', message: result.error.message })
    return result.ok
  },
}))
