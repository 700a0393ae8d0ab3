// The pure limits and tables of the domain: plain values, no zod. shared/domain.ts builds its schemas from them
// (and re-exports them), and the renderer imports them from here, so its bundle carries no schema library just to
// know that a job makes at most 15 images.

/** Most reference images a Seedream 5.0 Lite request accepts (API.md §8). */
export const MAX_REFERENCES = 14
/** Images one generation request may ask for; they become ⌈N/4⌉ enqueues (API.md §9). */
export const MIN_IMAGES = 1
export const MAX_IMAGES = 15
export const MAX_PROMPT_CHARS = 8000
/** Largest reference image file (bytes); main enforces it, the renderer checks it before sending bytes. */
export const MAX_REFERENCE_BYTES = 30_000_000

/** Settings.maxConcurrentJobs and maxConcurrentDownloads stay within these. */
export const CONCURRENCY_LIMITS = { min: 1, max: 8 } as const

/** The image formats Atelier stores (generated images and references alike). */
export const IMAGE_FORMAT_NAMES = ['png', 'jpeg', 'webp'] as const
export type ImageFormat = (typeof IMAGE_FORMAT_NAMES)[number]
/** Each format's file extension and MIME type: the one table main and the renderer name and serve files by. */
export const IMAGE_FORMATS: Record<ImageFormat, { ext: string; mime: string }> = {
  png: { ext: 'png', mime: 'image/png' },
  jpeg: { ext: 'jpg', mime: 'image/jpeg' },
  webp: { ext: 'webp', mime: 'image/webp' },
}

/** The name of the seed field in every Oxen image model's schema: the seed each image was made with is recorded under it. */
export const SEED_PARAM = 'seed'

/** What the pick filter keeps: the picks only, everything but the rejects, or the rejects only. */
export const PICK_FILTERS = ['picked', 'unrejected', 'rejected'] as const
/** The size classes the library's size filter offers. */
export const IMAGE_SIZES = ['2K', '3K', '4K'] as const
