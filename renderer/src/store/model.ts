// The configured model's request form. It needs a working key and network, so it can fail: the
// composer shows the failure and the way to fix it; a key change reloads it.
import { create } from 'zustand'
import type { AppError } from '../../../shared/contract'
import type { ModelForm } from '../../../shared/domain'
import { api } from '../bridge'
import { coalesce } from '../lib/coalesce'
import { settle } from '../lib/request'

type ModelState =
  | { status: 'loading'; form: ModelForm | null; error: null }
  | { status: 'ready'; form: ModelForm; error: null }
  | { status: 'error'; form: null; error: AppError }

export const useModel = create<ModelState & { load: () => Promise<void> }>()((set, get) => ({
  status: 'loading',
  form: null,
  error: null,
  load: coalesce(async () => {
    // A form that already loaded stays usable while it refreshes.
    set({ status: 'loading', form: get().form, error: null })
    const result = await settle(api.getModelForm())
    set(result.ok ? { status: 'ready', form: result.value, error: null } : { status: 'error', form: null, error: result.error })
  }),
}))
