// How a library image's file is named outside the library (an export, a drag out of the window, the browser
// preview's download): the prompt's first words and the image id, so the name says what the image is, does not
// clash, and is safe on every file system. Inside the library files are named by id alone.
import { IMAGE_FORMATS, type ImageFormat } from '../../../shared/domain'

const SLUG_CHARS = 48
/** The first words are all a name needs; this bounds the work for an 8,000-character prompt on every listed image. */
const PROMPT_CHARS = 200

/** `crème brûlée, macro shot` → `creme-brulee-macro-shot-1a2b3c4d.png`; `wholeId` for the rare clash of the short form. */
export function imageFileName(image: { id: string; prompt: string; format: ImageFormat }, wholeId = false): string {
  const slug =
    image.prompt
      .slice(0, PROMPT_CHARS)
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, SLUG_CHARS)
      .replace(/^-+|-+$/g, '') || 'image'
  return `${slug}-${wholeId ? image.id : image.id.slice(0, 8)}.${IMAGE_FORMATS[image.format].ext}`
}
