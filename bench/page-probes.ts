// Probes the library benchmark runs inside the page (bundled by esbuild and injected with addInitScript):
// long tasks, the first screen of thumbnails painted, and a scroll through the whole grid.
const longTasks: number[] = []
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longTasks.push(entry.duration)
}).observe({ type: 'longtask', buffered: true } as PerformanceObserverInit)

const grid = () => document.querySelector<HTMLElement>('[data-library-grid]')
const frame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)))

/** ms since navigation when every tile image inside the grid's viewport had decoded and painted. */
function firstScreen(): Promise<number> {
  return new Promise((resolve) => {
    const check = () => {
      const g = grid()
      const box = g?.getBoundingClientRect()
      const visible = g && box
        ? [...g.querySelectorAll('img')].filter((img) => {
            const r = img.getBoundingClientRect()
            return r.bottom > box.top && r.top < box.bottom
          })
        : []
      if (visible.length > 0 && visible.every((img) => img.complete && img.naturalWidth > 0)) {
        requestAnimationFrame(() => resolve(performance.now()))
      } else requestAnimationFrame(check)
    }
    check()
  })
}

/** Scrolls a screen per two frames to the very end (or `maxScreens`), waiting at the end of what is loaded for the next page. */
async function scrollAll(maxScreens = Infinity): Promise<{ ms: number; screens: number }> {
  const g = grid()!
  longTasks.length = 0
  const started = performance.now()
  let stuck = 0
  let screens = 0
  while (stuck < 40 && screens < maxScreens) {
    const before = g.scrollTop
    g.scrollTop = before + g.clientHeight
    screens++
    await frame()
    await frame()
    if (g.scrollTop === before) {
      stuck++
      await new Promise((r) => setTimeout(r, 50))
    } else stuck = 0
  }
  return { ms: performance.now() - started, screens }
}

Object.assign(window, { __atelierBench: { firstScreen, scrollAll, longTasks: () => [...longTasks] } })
