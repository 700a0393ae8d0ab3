// Where reference images will go (drag in files or pick from the library). Shown only when the
// model takes them; the picking itself arrives in a later issue.
import { ImagePlus } from 'lucide-react'
import type { FormField } from '../../../../shared/domain'

export function ReferencesTray({ field }: { field: Extract<FormField, { kind: 'images' }> }) {
  return (
    <section className="refs" aria-label="Reference images">
      <div className="refs-head">
        <span className="field-label">Reference images</span>
        <span className="refs-count">0 / {field.maxItems}</span>
      </div>
      <div className="refs-drop" aria-disabled="true">
        <ImagePlus aria-hidden size={16} strokeWidth={1.5} />
        <span>Reference images are coming soon</span>
      </div>
    </section>
  )
}
