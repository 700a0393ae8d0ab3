// A small, binary-safe multipart/form-data parser (RFC 7578) for repo uploads: the body is already in memory
// (uploads are size-limited), parts are split on the boundary taken from the Content-Type header.

export interface FormPart {
  /** The form field name (`file`, `files[]`, `name`, …). */
  name: string
  /** The file name, when the part is a file. */
  filename: string | null
  contentType: string | null
  data: Buffer
}

export class MultipartError extends Error {}

/** The boundary parameter of a `multipart/form-data` Content-Type, or null if it is not one. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) return null
  const params = headerParams(contentType)
  const boundary = params.get('boundary')
  return boundary && boundary.length <= 70 ? boundary : null
}

/** `a; key=value; other="quoted \"value\""` → Map of lower-cased keys to unquoted values. */
function headerParams(header: string): Map<string, string> {
  const params = new Map<string, string>()
  const pattern = /;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g
  for (const match of header.matchAll(pattern)) {
    const key = match[1]!.toLowerCase()
    let value = match[2]!.trim()
    if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1')
    params.set(key, value)
  }
  return params
}

/** RFC 5987 `filename*=UTF-8''…`, falling back to the plain value. */
function decodeExtended(value: string): string {
  const match = /^([\w-]+)'[^']*'(.*)$/.exec(value)
  if (!match) return value
  try {
    return decodeURIComponent(match[2]!)
  } catch {
    return match[2]!
  }
}

export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`)
  const crlf = Buffer.from('\r\n')
  const parts: FormPart[] = []

  let at = body.indexOf(delimiter)
  if (at === -1) throw new MultipartError('The multipart body has no boundary line')
  for (;;) {
    at += delimiter.length
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return parts // closing `--boundary--`
    // Transport padding after the boundary, then CRLF.
    while (body[at] === 0x20 || body[at] === 0x09) at += 1
    if (!body.subarray(at, at + 2).equals(crlf)) throw new MultipartError('Malformed multipart boundary line')
    at += 2

    const headerEnd = body.indexOf('\r\n\r\n', at)
    if (headerEnd === -1) throw new MultipartError('A multipart part has no end of headers')
    const headers = new Map<string, string>()
    for (const line of body.subarray(at, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':')
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
    }
    const dataStart = headerEnd + 4
    const next = body.indexOf(Buffer.concat([crlf, delimiter]), dataStart)
    if (next === -1) throw new MultipartError('The multipart body ends before its closing boundary')

    const disposition = headers.get('content-disposition') ?? ''
    if (!/^\s*form-data\s*(;|$)/i.test(disposition)) throw new MultipartError('A multipart part is not form-data')
    const params = headerParams(disposition)
    const name = params.get('name')
    if (name === undefined) throw new MultipartError('A multipart part has no name')
    const extended = params.get('filename*')
    parts.push({
      name,
      filename: extended !== undefined ? decodeExtended(extended) : (params.get('filename') ?? null),
      contentType: headers.get('content-type') ?? null,
      data: body.subarray(dataStart, next),
    })
    at = next + crlf.length
  }
}
