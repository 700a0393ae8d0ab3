// A whole-number field with − / + buttons (a spinbutton named by its label). While the user types, the field
// shows their text (it may be briefly empty or out of range); onChange only ever receives a value in range.
import { useState } from 'react'
import { Minus, Plus } from 'lucide-react'

interface NumberStepperProps {
  id: string
  label: string
  value: number
  min: number
  max: number
  onChange: (value: number) => void
  /** Names of the − and + buttons, e.g. "Fewer images" / "More images". */
  decreaseLabel: string
  increaseLabel: string
  describedBy?: string
}

export function NumberStepper({ id, label, value, min, max, onChange, decreaseLabel, increaseLabel, describedBy }: NumberStepperProps) {
  const [draft, setDraft] = useState<string | null>(null)
  const clamp = (n: number) => Math.min(max, Math.max(min, Math.round(n)))

  const commit = () => {
    const n = Number.parseInt(draft ?? '', 10)
    if (!Number.isNaN(n) && clamp(n) !== value) onChange(clamp(n))
    setDraft(null)
  }
  const stepBy = (delta: number) => {
    setDraft(null)
    onChange(clamp(value + delta))
  }

  return (
    <div className="stepper">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <div className="stepper-control">
        <button type="button" className="stepper-btn" aria-label={decreaseLabel} disabled={value <= min} onClick={() => stepBy(-1)}>
          <Minus aria-hidden size={14} strokeWidth={2} />
        </button>
        <input
          id={id}
          className="stepper-input"
          type="number"
          inputMode="numeric"
          min={min}
          max={max}
          step={1}
          aria-describedby={describedBy}
          value={draft ?? String(value)}
          onChange={(e) => {
            setDraft(e.target.value)
            const n = Number.parseInt(e.target.value, 10)
            if (!Number.isNaN(n) && n >= min && n <= max && n !== value) onChange(n)
          }}
          onBlur={commit}
        />
        <button type="button" className="stepper-btn" aria-label={increaseLabel} disabled={value >= max} onClick={() => stepBy(1)}>
          <Plus aria-hidden size={14} strokeWidth={2} />
        </button>
      </div>
    </div>
  )
}
