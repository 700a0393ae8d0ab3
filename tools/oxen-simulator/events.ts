// Per-user SSE streams for GET /api/events (API.md §6): `: keep-alive` comments while idle, one
// `media_generation_completed` event per finished generation, no ids and no replay.
import type { ServerResponse } from 'node:http'

interface Stream {
  userId: string
  res: ServerResponse
  keepAlive: NodeJS.Timeout | undefined
}

export class EventHub {
  private readonly streams = new Set<Stream>()

  /** keepAliveMs ≤ 0 turns the keep-alive comments off. */
  constructor(private readonly keepAliveMs: number) {}

  get openCount(): number {
    return this.streams.size
  }

  open(userId: string, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    })
    res.flushHeaders()
    const stream: Stream = {
      userId,
      res,
      keepAlive:
        this.keepAliveMs > 0 ? setInterval(() => res.write(': keep-alive\n\n'), this.keepAliveMs).unref() : undefined,
    }
    this.streams.add(stream)
    res.on('close', () => this.forget(stream))
  }

  /** Sends to every stream of the user; events for users with no open stream are lost. */
  publish(userId: string, event: string, data: Record<string, unknown>): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
    for (const stream of this.streams) {
      if (stream.userId === userId && !stream.res.writableEnded) stream.res.write(frame)
    }
  }

  /** Ends every stream cleanly (the client sees end-of-stream). */
  closeAll(): void {
    for (const stream of [...this.streams]) {
      this.forget(stream)
      stream.res.end()
    }
  }

  private forget(stream: Stream): void {
    clearInterval(stream.keepAlive)
    this.streams.delete(stream)
  }
}
