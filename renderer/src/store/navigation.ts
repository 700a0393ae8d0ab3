// The current view lives in the URL hash (#/create, #/library, #/settings) so nav items are real links.
import { create } from 'zustand'

export const VIEWS = ['create', 'library', 'settings'] as const
export type View = (typeof VIEWS)[number]

/** Old addresses that still lead somewhere: History became the Library. */
const ALIASES: Record<string, View> = { history: 'library' }

function viewFromHash(hash: string): View {
  const name = hash.replace(/^#\/?/, '')
  if ((VIEWS as readonly string[]).includes(name)) return name as View
  return ALIASES[name] ?? 'create'
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

/** Follows back/forward and typed hashes (an alias is rewritten to its view's address). Called once at start. */
export function followLocation(): void {
  const follow = () => {
    const view = viewFromHash(window.location.hash)
    if (window.location.hash.replace(/^#\/?/, '') in ALIASES) window.history.replaceState(null, '', hrefFor(view))
    useNavigation.setState({ view })
  }
  follow()
  window.addEventListener('hashchange', follow)
}
