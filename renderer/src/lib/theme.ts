// Puts the resolved theme on <html data-theme>. `system` follows prefers-color-scheme, live.
import type { Settings } from '../../../shared/domain'

type Theme = Settings['theme']

const darkQuery = window.matchMedia('(prefers-color-scheme: dark)')

function resolve(theme: Theme): 'dark' | 'light' {
  if (theme === 'system') return darkQuery.matches ? 'dark' : 'light'
  return theme
}

/** Applies the theme now and, for `system`, on every OS change; returns the cleanup. */
export function applyTheme(theme: Theme): () => void {
  const root = document.documentElement
  const paint = () => {
    root.dataset.theme = resolve(theme)
  }
  paint()
  if (theme !== 'system') return () => {}
  darkQuery.addEventListener('change', paint)
  return () => darkQuery.removeEventListener('change', paint)
}
