// The API key's status. The key itself never enters a store: it goes straight from the input to main.
import { create } from 'zustand'
import type { AppError } from '../../../shared/contract'
import type { KeyTestResult, SecretStatus } from '../../../shared/domain'
import { api } from '../bridge'
import { settle } from '../lib/request'
import { useModel } from './model'

interface SecretsState {
  status: SecretStatus | null
  receive: (status: SecretStatus) => void
  load: () => Promise<void>
  /** Resolves to an error message, or null when the key was saved. */
  save: (key: string) => Promise<AppError | null>
  remove: () => Promise<AppError | null>
  test: () => Promise<{ ok: boolean; message: string }>
}

export const useSecrets = create<SecretsState>()((set, get) => ({
  status: null,
  receive: (status) => {
    set({ status })
    // A new, removed or lost key changes whether the list of models can refresh and the form can load.
    void useModel.getState().reload()
  },
  load: async () => {
    const result = await settle(api.getSecretStatus())
    if (result.ok) set({ status: result.value })
  },
  save: async (key) => {
    const result = await settle(api.setApiKey({ key }))
    if (!result.ok) return result.error
    get().receive(result.value)
    return null
  },
  remove: async () => {
    const result = await settle(api.removeApiKey())
    if (!result.ok) return result.error
    get().receive(result.value)
    return null
  },
  test: async (): Promise<KeyTestResult> => {
    const result = await settle(api.testApiKey())
    if (result.ok && result.value.ok && useModel.getState().status === 'error') void useModel.getState().reload()
    return result.ok ? result.value : { ok: false, message: result.error.message }
  },
}))
