// App settings from main. The theme is applied optimistically and rolled back if main refuses it.
import { create } from 'zustand'
import type { Settings, SettingsPatch } from '../../../shared/domain'
import { api } from '../bridge'
import { settle } from '../lib/request'
import { toast } from './toasts'

interface SettingsState {
  settings: Settings | null
  load: () => Promise<void>
  update: (patch: SettingsPatch) => Promise<void>
}

export const useSettings = create<SettingsState>()((set, get) => ({
  settings: null,
  load: async () => {
    const result = await settle(api.getSettings())
    if (result.ok) set({ settings: result.value })
    else toast({ tone: 'danger', title: 'Settings could not be read', message: result.error.message })
  },
  update: async (patch) => {
    const before = get().settings
    if (before) set({ settings: { ...before, ...patch } })
    const result = await settle(api.updateSettings(patch))
    if (result.ok) set({ settings: result.value })
    else {
      set({ settings: before })
      toast({ tone: 'danger', title: 'Setting not saved', message: result.error.message })
    }
  },
}))
