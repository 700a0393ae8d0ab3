// window.atelier for the browser harness, made from the same contract as the Electron preload:
// one function per request, one subscription per event, over a WebSocket to the harness process.
import { eventNames, requestNames, type AtelierApi, type Result } from '../../../shared/contract'
import { HARNESS_WS_PATH, type ClientMessage, type ServerMessage } from '../protocol'

const pending = new Map<number, (result: Result<unknown>) => void>()
const listeners = new Map<string, Set<(payload: unknown) => void>>()
const outbox: string[] = []
let nextId = 1
let socket: WebSocket

const lost: Result<never> = {
  ok: false,
  error: { code: 'unreachable', message: 'Lost the connection to Atelier. Reload the page once it is running again.' },
}

function connect(): void {
  socket = new WebSocket(new URL(HARNESS_WS_PATH, location.href).href.replace(/^http/, 'ws'))
  socket.addEventListener('open', () => {
    for (const message of outbox.splice(0)) socket.send(message)
  })
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as ServerMessage
    if (message.kind === 'response') {
      pending.get(message.id)?.(message.result)
      pending.delete(message.id)
    } else {
      for (const listener of listeners.get(message.name) ?? []) listener(message.payload)
    }
  })
  socket.addEventListener('close', () => {
    for (const resolve of pending.values()) resolve(lost)
    pending.clear()
    setTimeout(connect, 1000)
  })
}
connect()

function send(message: ClientMessage): void {
  const text = JSON.stringify(message)
  if (socket.readyState === WebSocket.OPEN) socket.send(text)
  else outbox.push(text)
}

const api: Record<string, unknown> = {}
for (const name of requestNames) {
  api[name] = (input?: unknown) =>
    new Promise<Result<unknown>>((resolve) => {
      const id = nextId++
      pending.set(id, resolve)
      send({ kind: 'request', id, name, input })
    })
}
for (const name of eventNames) {
  api[name] = (listener: (payload: unknown) => void) => {
    const set = listeners.get(name) ?? new Set()
    listeners.set(name, set)
    set.add(listener)
    return () => set.delete(listener)
  }
}
Object.defineProperty(window, 'atelier', { value: Object.freeze(api) as AtelierApi, writable: false, configurable: false })
