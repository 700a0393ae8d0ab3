// The shell: nav rail, top bar, the current view, and the app-wide layers (preview, toasts).
import { useLayoutEffect } from 'react'
import { Toast, Tooltip } from 'radix-ui'
import { NavRail } from './components/NavRail'
import { PreviewDialog } from './components/PreviewDialog'
import { Toaster } from './components/Toaster'
import { TopBar } from './components/TopBar'
import { applyTheme } from './lib/theme'
import { useNavigation } from './store/navigation'
import { useSettings } from './store/settings'
import { CreateView } from './views/CreateView'
import { HistoryView } from './views/HistoryView'
import { SettingsView } from './views/SettingsView'

export function App() {
  const view = useNavigation((s) => s.view)
  const theme = useSettings((s) => s.settings?.theme ?? 'system')

  // Before paint, so a light-mode user never sees a dark first frame.
  useLayoutEffect(() => applyTheme(theme), [theme])

  return (
    <Tooltip.Provider delayDuration={400} skipDelayDuration={200}>
      <Toast.Provider swipeDirection="right" label="Notification">
        <div className="app">
          <NavRail />
          <div className="app-main">
            <TopBar />
            <main className="view">
              {view === 'create' && <CreateView />}
              {view === 'history' && <HistoryView />}
              {view === 'settings' && <SettingsView />}
            </main>
          </div>
        </div>
        <PreviewDialog />
        <Toaster />
      </Toast.Provider>
    </Tooltip.Provider>
  )
}
