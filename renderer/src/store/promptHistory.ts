// Prompts sent before, for ↑/↓ in the prompt and the "Earlier prompts" list. Main reads them from the job journal
// (every prompt sent, also of jobs that failed or whose images were deleted), each once, newest first; a prompt sent
// here is put in front at once.
import { create } from 'zustand'
import type { PromptHistoryEntry } from '../../../shared/domain'
import { api } from '../bridge'
import { settle } from '../lib/request'

/** How many of the newest prompts ↑ can walk through (the list searches all of them). */
const RECENT = 200

interface PromptHistoryState {
  /** The newest prompts, newest first; empty until loaded. */
  recent: PromptHistoryEntry[]
  loaded: boolean
  load: () => Promise<void>
  /** A prompt just sent: first in the list, once. */
  sent: (prompt: string, modelId: string) => void
}

export const usePromptHistory = create<PromptHistoryState>()((set, get) => ({
  recent: [],
  loaded: false,
  load: async () => {
    const result = await settle(api.getPromptHistory({ limit: RECENT }))
    if (!result.ok) return
    // A prompt sent while this was on its way is kept in front.
    const known = new Set(result.value.prompts.map((p) => p.prompt))
    const newer = get().recent.filter((p) => !known.has(p.prompt) && p.at >= (result.value.prompts[0]?.at ?? 0))
    set({ recent: [...newer, ...result.value.prompts].slice(0, RECENT), loaded: true })
  },
  sent: (prompt, modelId) =>
    set((s) => ({ recent: [{ prompt, modelId, at: Date.now() }, ...s.recent.filter((p) => p.prompt !== prompt)].slice(0, RECENT) })),
}))

/** Searches every prompt sent (main's answer); null when it could not be asked. */
export async function searchPrompts(text: string): Promise<PromptHistoryEntry[] | null> {
  const result = await settle(api.getPromptHistory({ text, limit: 100 }))
  return result.ok ? result.value.prompts : null
}
