// Loaded after the styles: starting the event subscriptions needs the bridge.
import { App } from './App'
import { startSubscriptions } from './store/subscriptions'

startSubscriptions()

export const Boot = App
