// "Number of images": a spinbutton with − / + buttons, 1–15.
import { useState } from 'react'
import { Minus, Plus } from 'lucide-react'
import { MAX_IMAGES, MIN_IMAGES } from '../../../../shared/domain'

interface CountStepperProps {
  value: number
  onChange: (value: number) => void
}

export function CountStepper({ value, onChange }: CountStepperProps) {
  // While the user types, the field shows their text (it may be briefly empty or out of range);
  // the store only ever holds a valid count.
  const [draft, setDraft] = useState<string | null>(null)

  const commit = () => {
    const n = Number.parseInt(draft ?? '', 10)
    if (!Number.isNaN(n)) onChange(n)
    setDraft(null)
  }
  const stepBy = (delta: number) => {
    setDraft(null)
    onChange(value + delta)
  }

  return (
    <div className="stepper">
      <label className="field-label" htmlFor="composer-count">
        Number of images
      </label>
      <div className="stepper-control">
        <button
          type="button"
          className="stepper-btn"
          aria-label="Fewer images"
          disabled={value <= MIN_IMAGES}
          onClick={() => stepBy(-1)}
        >
          <Minus aria-hidden size={14} strokeWidth={2} />
        </button>
        <input
          id="composer-count"
          className="stepper-input"
          type="number"
          inputMode="numeric"
          min={MIN_IMAGES}
          max={MAX_IMAGES}
          step={1}
          value={draft ?? String(value)}
          onChange={(e) => {
            setDraft(e.target.value)
            const n = Number.parseInt(e.target.value, 10)
            if (!Number.isNaN(n) && n >= MIN_IMAGES && n <= MAX_IMAGES) onChange(n)
          }}
          onBlur={commit}
        />
        <button
          type="button"
          className="stepper-btn"
          aria-label="More images"
          disabled={value >= MAX_IMAGES}
          onClick={() => stepBy(1)}
        >
          <Plus aria-hidden size={14} strokeWidth={2} />
        </button>
      </div>
    </div>
  )
}
