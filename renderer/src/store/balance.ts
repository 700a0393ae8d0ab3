// The account's credit balance, where Oxen tells it: asked at start, when the key changes and when a job ends
// (what it cost has then been charged). Unknown (null) when Oxen does not say or cannot be asked: nothing is shown.
import { create } from 'zustand'
import { api } from '../bridge'
import { coalesce } from '../lib/coalesce'
import { settle } from '../lib/request'

interface BalanceState {
  usd: number | null
  load: () => Promise<void>
}

export const useBalance = create<BalanceState>()((set) => ({
  usd: null,
  load: coalesce(async () => {
    const result = await settle(api.getCreditBalance())
    set({ usd: result.ok ? result.value.usd : null })
  }),
}))
