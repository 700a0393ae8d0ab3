// An image that fades in once decoded and says so plainly if it cannot load.
import { useState } from 'react'
import { ImageOff } from 'lucide-react'
import clsx from 'clsx'

interface ThumbnailProps {
  src: string
  alt: string
  className?: string
}

export function Thumbnail({ src, alt, className }: ThumbnailProps) {
  // Keyed by src, so a new src starts over as "loading".
  const [settled, setSettled] = useState<{ src: string; ok: boolean } | null>(null)
  const state = settled?.src === src ? (settled.ok ? 'loaded' : 'broken') : 'loading'
  if (state === 'broken') {
    return (
      <span className={clsx('thumb thumb-broken', className)} role="img" aria-label={`${alt} (could not be loaded)`}>
        <ImageOff aria-hidden size={18} strokeWidth={1.5} />
      </span>
    )
  }
  return (
    <img
      className={clsx('thumb', state === 'loaded' && 'is-loaded', className)}
      src={src}
      alt={alt}
      loading="lazy"
      decoding="async"
      draggable={false}
      onLoad={() => setSettled({ src, ok: true })}
      onError={() => setSettled({ src, ok: false })}
    />
  )
}
