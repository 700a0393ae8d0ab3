// The current view lives in the URL hash (#/create, #/history, #/settings) so nav items are real links.
import { create } from 'zustand'

export const VIEWS = ['create', 'history', 'settings'] as const
export type View = (typeof VIEWS)[number]

function viewFromHash(hash: string): View {
  const name = hash.replace(/^#\/?/, '')
  return (VIEWS as readonly string[]).includes(name) ? (name as View) : 'create'
}

export const hrefFor = (view: View) => `#/${view}`

interface NavigationState {
  view: View
  go: (view: View) => void
}

export const useNavigation = create<NavigationState>()((set) => ({
  view: viewFromHash(window.location.hash),
  go: (view) => {
    if (window.location.hash !== hrefFor(view)) window.location.hash = hrefFor(view)
    set({ view })
  },
}))

/** Follows back/forward and typed hashes. Called once at start. */
export function followLocation(): void {
  window.addEventListener('hashchange', () => useNavigation.setState({ view: viewFromHash(window.location.hash) }))
}
