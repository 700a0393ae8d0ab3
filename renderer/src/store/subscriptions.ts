// The one place that listens to main's events. It subscribes once, dispatches into the stores and
// then loads each store's first state (subscribing first, so nothing that happens meanwhile is lost).
import { api } from '../bridge'
import { useBalance } from './balance'
import { useComposer } from './composer'
import { restoreDraft, startDraftAutosave } from './draft'
import { isRunning, useJobs } from './jobs'
import { reloadLibrary, useLibrary } from './library'
import { useModel } from './model'
import { followLocation } from './navigation'
import { usePromptHistory } from './promptHistory'
import { useSecrets } from './secrets'
import { useSettings } from './settings'
import { useSync } from './sync'

let started = false

export function startSubscriptions(): void {
  if (started) return
  started = true
  followLocation()

  api.onJobUpdate((job) => {
    const before = useJobs.getState().byId[job.id]
    useJobs.getState().receive(job)
    if (before && isRunning(before) && !isRunning(job)) void useBalance.getState().load()
  })
  api.onLibraryChanged(({ imageIds }) => {
    void reloadLibrary(imageIds.length)
    void useLibrary.getState().loadFacets()
  })
  api.onSyncTask((task) => useSync.getState().receive(task))
  api.onSecretStatus((status) => {
    useSecrets.getState().receive(status)
    void useBalance.getState().load()
  })
  useModel.subscribe((model, before) => {
    if (model.form && model.form !== before.form) useComposer.getState().adoptForm(model.form)
  })

  // The library's first page first: it is what the window shows soonest.
  void useLibrary.getState().search()
  // The composer starts as it was left (its saved draft, on the draft's model), else on the model used last. The draft
  // is saved from then on, so the empty composer of a fresh start never overwrites it.
  void Promise.all([useSettings.getState().load(), restoreDraft()]).then(([, draftModel]) => {
    startDraftAutosave()
    const modelId = draftModel ?? useSettings.getState().settings?.modelId
    if (modelId) void useModel.getState().select(modelId)
    else useModel.setState({ status: 'idle' })
  })
  void usePromptHistory.getState().load()
  void useModel.getState().loadCatalogue()
  void useSecrets.getState().load()
  void useBalance.getState().load()
  void useJobs.getState().load()
  void useLibrary.getState().loadFacets()
  void useSync.getState().load() // a push may be running since before a reload, or resumed at start
}
