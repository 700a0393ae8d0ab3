// Entry: styles, then the app. The app is imported lazily so a missing bridge (page opened
// outside Atelier) shows a readable message instead of a blank window.
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import '@fontsource-variable/inter'
import './styles/tokens.css'
import './styles/app.css'
import './styles/library.css'
import './styles/compare.css'
import './styles/triage.css'
import './styles/sync.css'

const root = createRoot(document.getElementById('root') as HTMLElement)

// The library's first page is asked for now, while the app's code still loads: it is what the window shows soonest.
// (Without the bridge this fails too; the app's import below says why.)
import('./store/library')
  .then(({ prefetchLibrary }) => prefetchLibrary())
  .catch(() => undefined)

import('./boot')
  .then(({ Boot }) =>
    root.render(
      <StrictMode>
        <Boot />
      </StrictMode>,
    ),
  )
  .catch((error: unknown) =>
    root.render(
      <div className="fatal" role="alert">
        <p className="fatal-title">Atelier could not start</p>
        <p className="fatal-text">{error instanceof Error ? error.message : String(error)}</p>
      </div>,
    ),
  )
