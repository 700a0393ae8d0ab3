// Justified rows: each image keeps its aspect ratio, each full row fills the width exactly (a little lower than the
// target height), and the last row stays at the target height. No crop, no gaps at the row ends.

export interface TileBox {
  width: number
  height: number
}

/** Boxes for tiles of these ratios (width ÷ height) in rows `width` wide; empty until the width is known. */
export function justify(ratios: readonly number[], width: number, targetHeight: number, gap: number): TileBox[] {
  if (width <= 0) return []
  const boxes: TileBox[] = []
  let row: number[] = []
  let sum = 0
  const place = (height: number) => {
    for (const ratio of row) boxes.push({ width: Math.max(1, Math.floor(ratio * height)), height: Math.floor(height) })
    row = []
    sum = 0
  }
  for (const ratio of ratios) {
    row.push(ratio)
    sum += ratio
    const free = width - gap * (row.length - 1)
    if (sum * targetHeight >= free) place(free / sum)
  }
  if (row.length > 0) place(Math.min(targetHeight, (width - gap * (row.length - 1)) / sum))
  return boxes
}
