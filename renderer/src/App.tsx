// The shell: nav rail, top bar, the current view, and the app-wide layers (preview, toasts).
import { lazy, Suspense, useEffect, useLayoutEffect } from 'react'
import { Toast, Tooltip } from 'radix-ui'
import { NavRail } from './components/NavRail'
import { PreviewDialog } from './components/PreviewDialog'
import { SyncDialogs } from './components/sync/SyncTasks'
import { Toaster } from './components/Toaster'
import { TopBar } from './components/TopBar'
import { applyTheme } from './lib/theme'
import { useCompare } from './store/compare'
import { useNavigation } from './store/navigation'
import { useSettings } from './store/settings'
import { LibraryView } from './views/LibraryView'

// Views not on screen load on demand, so opening the library does not parse the composer and settings first.
const CreateView = lazy(() => import('./views/CreateView').then((m) => ({ default: m.CreateView })))
const SettingsView = lazy(() => import('./views/SettingsView').then((m) => ({ default: m.SettingsView })))
const CompareDialog = lazy(() => import('./components/compare/CompareDialog').then((m) => ({ default: m.CompareDialog })))

export function App() {
  const view = useNavigation((s) => s.view)
  const comparing = useCompare((s) => s.opened.length > 0)
  const theme = useSettings((s) => s.settings?.theme ?? 'system')

  // Before paint, so a light-mode user never sees a dark first frame.
  useLayoutEffect(() => applyTheme(theme), [theme])

  // A file dropped where nothing takes it must not replace the app with the file (the browser's default).
  useEffect(() => {
    const refuse = (event: DragEvent) => {
      if (event.defaultPrevented || !event.dataTransfer?.types.includes('Files')) return
      event.preventDefault()
      event.dataTransfer.dropEffect = 'none'
    }
    window.addEventListener('dragover', refuse)
    window.addEventListener('drop', refuse)
    return () => {
      window.removeEventListener('dragover', refuse)
      window.removeEventListener('drop', refuse)
    }
  }, [])

  return (
    <Tooltip.Provider delayDuration={400} skipDelayDuration={200}>
      <Toast.Provider swipeDirection="right" label="Notification">
        <div className="app">
          <NavRail />
          <div className="app-main">
            <TopBar />
            <main className="view">
              <Suspense fallback={null}>
                {view === 'create' && <CreateView />}
                {view === 'library' && <LibraryView />}
                {view === 'settings' && <SettingsView />}
              </Suspense>
            </main>
          </div>
        </div>
        <PreviewDialog />
        <SyncDialogs />
        {comparing && (
          <Suspense fallback={null}>
            <CompareDialog />
          </Suspense>
        )}
        <Toaster />
      </Toast.Provider>
    </Tooltip.Provider>
  )
}
