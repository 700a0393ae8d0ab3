// Everything in the library, one article per job, newest first, paged with "Load more".
import { Clock3, Loader2, Sparkles } from 'lucide-react'
import type { HistoryEntry } from '../../../shared/domain'
import { Callout } from '../components/Callout'
import { EmptyState } from '../components/EmptyState'
import { Thumbnail } from '../components/Thumbnail'
import { formatDateTime, imageAlt, summarizeParams } from '../lib/format'
import { useHistory } from '../store/history'
import { useNavigation } from '../store/navigation'
import { usePreview, type PreviewItem } from '../store/preview'

function previewItems(entry: HistoryEntry): PreviewItem[] {
  const count = entry.images.length
  return entry.images.map((image, i) => ({
    key: image.id,
    src: image.url,
    thumbSrc: image.thumbUrl,
    alt: imageAlt(entry.prompt, i, count),
    prompt: entry.prompt,
    params: entry.params,
    createdAt: image.createdAt,
    width: image.width,
    height: image.height,
    bytes: image.bytes,
    format: image.format,
  }))
}

function HistoryEntryCard({ entry }: { entry: HistoryEntry }) {
  const open = usePreview((s) => s.open)
  const items = previewItems(entry)
  const params = summarizeParams(entry.params)
  const headingId = `history-${entry.jobId}`
  return (
    <article className="entry" aria-labelledby={headingId}>
      <header className="entry-head">
        <h3 className="entry-prompt" id={headingId} title={entry.prompt}>
          {entry.prompt}
        </h3>
        <p className="entry-meta">
          <time dateTime={new Date(entry.createdAt).toISOString()}>{formatDateTime(entry.createdAt)}</time>
          <span>
            {entry.images.length} {entry.images.length === 1 ? 'image' : 'images'}
          </span>
        </p>
        <p className="entry-model">{entry.modelId}</p>
        {params.length > 0 && (
          <ul className="chips" aria-label="Settings">
            {params.map((p) => (
              <li key={p} className="chip">
                {p}
              </li>
            ))}
          </ul>
        )}
      </header>
      <ul className="entry-images">
        {items.map((item, i) => (
          <li key={item.key}>
            <button type="button" className="tile" onClick={() => open(items, i)}>
              <Thumbnail src={item.thumbSrc} alt={item.alt} />
            </button>
          </li>
        ))}
      </ul>
    </article>
  )
}

export function HistoryView() {
  const { entries, nextCursor, status, error, loadingMore, loadMore, refresh } = useHistory()
  const go = useNavigation((s) => s.go)

  return (
    <section className="history" aria-labelledby="history-heading">
      <div className="view-head">
        <h1 id="history-heading">History</h1>
        {entries.length > 0 && <span className="view-sub">Everything you have generated, newest first</span>}
      </div>

      {error && (
        <Callout
          tone="danger"
          title="History could not be loaded"
          role="alert"
          action={
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => void refresh()}>
              Try again
            </button>
          }
        >
          {error}
        </Callout>
      )}

      {status === 'loading' && entries.length === 0 ? (
        <div className="history-loading" role="status">
          <Loader2 className="spin" aria-hidden size={16} />
          Loading history…
        </div>
      ) : status === 'ready' && entries.length === 0 ? (
        <EmptyState
          icon={Clock3}
          title="Nothing here yet"
          action={
            <button type="button" className="btn btn-primary" onClick={() => go('create')}>
              <Sparkles aria-hidden size={14} strokeWidth={1.75} />
              Create your first image
            </button>
          }
        >
          Every image you generate is kept here, with the prompt and settings that made it.
        </EmptyState>
      ) : (
        <div className="entry-list">
          {entries.map((entry) => (
            <HistoryEntryCard key={entry.jobId} entry={entry} />
          ))}
        </div>
      )}

      {nextCursor && (
        <div className="load-more">
          <button type="button" className="btn btn-secondary" onClick={() => void loadMore()} aria-disabled={loadingMore}>
            {loadingMore && <Loader2 className="spin" aria-hidden size={14} />}
            Load more
          </button>
        </div>
      )}
    </section>
  )
}
