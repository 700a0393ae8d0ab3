// The harness carries the IPC contract over one WebSocket: the same request names and event names as
// the Electron preload, as JSON messages.
import type { Result } from '../../shared/contract'

export const HARNESS_WS_PATH = '/__atelier/ws'
export const HARNESS_BRIDGE_PATH = '/__atelier/bridge.js'
export const HARNESS_MEDIA_PREFIX = '/media'

export type ClientMessage = { kind: 'request'; id: number; name: string; input?: unknown }
export type ServerMessage =
  | { kind: 'response'; id: number; result: Result<unknown> }
  | { kind: 'event'; name: string; payload: unknown }
