// The content width of an element, kept current as it resizes: the library grid and Results lay out by it.
import { useLayoutEffect, useState } from 'react'

/** The content width of an element (without padding), following its resizes. */
export function useContentWidth(element: HTMLElement | null): number {
  const [width, setWidth] = useState(0)
  useLayoutEffect(() => {
    if (!element) return
    const measure = () => {
      const style = getComputedStyle(element)
      setWidth(element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight))
    }
    measure()
    const observer = new ResizeObserver(measure)
    observer.observe(element)
    return () => observer.disconnect()
  }, [element])
  return width
}
