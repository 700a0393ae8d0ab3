// An image that fades in once decoded and says so plainly if it cannot load.
// Loading costs no React render: the element marks itself (data-loaded, which React never manages), and the
// element is keyed by src so a new src starts over as "loading". Only a failure re-renders.
import { memo, useState } from 'react'
import { ImageOff } from 'lucide-react'
import clsx from 'clsx'

interface ThumbnailProps {
  src: string
  alt: string
  className?: string
  /**
   * Fetched as soon as it is rendered (a virtualized grid renders only what is in or near view, so the browser's
   * lazy loading would only add a frame before the fetch starts).
   */
  eager?: boolean
  /** Visible now (high) or just outside the view (low); the browser decides otherwise. */
  priority?: 'high' | 'low'
}

const markLoaded = (event: { currentTarget: HTMLImageElement }) => {
  event.currentTarget.dataset.loaded = ''
}

export const Thumbnail = memo(function Thumbnail({ src, alt, className, eager = false, priority }: ThumbnailProps) {
  const [broken, setBroken] = useState<string | null>(null)
  if (broken === src) {
    return (
      <span className={clsx('thumb thumb-broken', className)} role="img" aria-label={`${alt} (could not be loaded)`}>
        <ImageOff aria-hidden size={18} strokeWidth={1.5} />
      </span>
    )
  }
  return (
    <img
      key={src}
      className={clsx('thumb', className)}
      src={src}
      alt={alt}
      loading={eager ? 'eager' : 'lazy'}
      decoding="async"
      {...(priority ? { fetchPriority: priority } : {})}
      draggable={false}
      onLoad={markLoaded}
      onError={() => setBroken(src)}
    />
  )
})
