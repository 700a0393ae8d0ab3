// Per-user SSE streams for GET /api/events (API.md §6): `: keep-alive` comments while idle, one
// `media_generation_completed` event per finished generation, no ids and no replay.
// Each stream carries the fault behaviour chosen when it opened (drop after K events, stall, silent).
import type { ServerResponse } from 'node:http'
import type { StreamBehavior } from './faults'

interface Stream {
  userId: string
  res: ServerResponse
  behavior: StreamBehavior
  sent: number
  keepAlive: NodeJS.Timeout | undefined
}

export class EventHub {
  private readonly streams = new Set<Stream>()
  /** Streams opened since start. */
  opened = 0

  /** keepAliveMs ≤ 0 turns the keep-alive comments off. */
  constructor(private readonly keepAliveMs: number) {}

  get openCount(): number {
    return this.streams.size
  }

  open(userId: string, res: ServerResponse, behavior: StreamBehavior = {}): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    })
    res.flushHeaders()
    this.opened += 1
    const stream: Stream = {
      userId,
      res,
      behavior,
      sent: 0,
      keepAlive:
        this.keepAliveMs > 0 && !behavior.stall
          ? setInterval(() => res.write(': keep-alive\n\n'), this.keepAliveMs).unref()
          : undefined,
    }
    this.streams.add(stream)
    res.on('close', () => this.forget(stream))
    if (behavior.dropAfterEvents === 0) this.end(stream)
  }

  /** Sends to every stream of the user; events for users with no open stream are lost. */
  publish(userId: string, event: string, data: Record<string, unknown>): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
    for (const stream of [...this.streams]) {
      if (stream.userId !== userId || stream.res.writableEnded) continue
      if (stream.behavior.stall || stream.behavior.silent) continue
      stream.res.write(frame)
      stream.sent += 1
      const limit = stream.behavior.dropAfterEvents
      if (limit !== undefined && stream.sent >= limit) this.end(stream)
    }
  }

  /** Ends every stream cleanly (the client sees end-of-stream). */
  closeAll(): void {
    for (const stream of [...this.streams]) this.end(stream)
  }

  private end(stream: Stream): void {
    this.forget(stream)
    stream.res.end()
  }

  private forget(stream: Stream): void {
    clearInterval(stream.keepAlive)
    this.streams.delete(stream)
  }
}
