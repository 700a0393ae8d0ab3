// When a job ran: how long it took once it has ended (started time on hover), else when it started.
import { formatElapsed, formatTime } from '../../lib/format'

export function JobTime({ createdAt, end }: { createdAt: number; end: number | undefined }) {
  return end !== undefined ? (
    <time className="tabular" title={`Started ${formatTime(createdAt)}`}>
      {formatElapsed(end - createdAt)}
    </time>
  ) : (
    <time className="tabular">{formatTime(createdAt)}</time>
  )
}
