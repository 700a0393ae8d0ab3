// The seed of a model that takes one: a new random seed per image, one fixed seed, or a start seed that goes up by
// one per image. Main records the seed each image was made with.
import { useId } from 'react'
import { Dices } from 'lucide-react'
import { ToggleGroup } from 'radix-ui'
import clsx from 'clsx'
import type { SeedChoice } from '../../../../shared/domain'
import { MAX_SEED, useComposer, type NumberField } from '../../store/composer'
import { IconButton } from '../IconButton'
import { FieldReason } from './FieldControl'

const MODES: { mode: SeedChoice['mode']; label: string; desc: string }[] = [
  { mode: 'random', label: 'Random', desc: 'A new random seed for each image.' },
  { mode: 'fixed', label: 'Fixed', desc: 'Every image uses this seed.' },
  { mode: 'increment', label: '+1 per image', desc: 'The first image uses this seed, each next one the seed after.' },
]

export function SeedControl({ field, reason }: { field: NumberField; reason?: string }) {
  const seed = useComposer((s) => s.seed)
  const setSeed = useComposer((s) => s.setSeed)
  const id = useId()
  const labelId = `${id}-label`
  const descId = `${id}-desc`
  const reasonId = `${id}-reason`
  const describedBy = reason ? `${descId} ${reasonId}` : descId
  const low = field.min ?? 0
  const high = Math.min(field.max ?? MAX_SEED, MAX_SEED)
  const roll = () => low + Math.floor(Math.random() * (high - low + 1))
  const current = MODES.find((m) => m.mode === seed.mode) ?? MODES[0]!

  return (
    <div className="field">
      <span className="field-label" id={labelId}>
        {field.label}
      </span>
      <ToggleGroup.Root
        type="single"
        className="segmented"
        aria-labelledby={labelId}
        aria-describedby={describedBy}
        value={seed.mode}
        onValueChange={(next) => {
          const mode = MODES.find((m) => m.mode === next)?.mode
          if (mode) setSeed(mode === 'random' ? { mode } : { mode, value: seed.value ?? roll() })
        }}
      >
        {MODES.map(({ mode, label }) => (
          <ToggleGroup.Item key={mode} value={mode} className="segmented-item">
            {label}
          </ToggleGroup.Item>
        ))}
      </ToggleGroup.Root>
      {seed.mode !== 'random' && (
        <div className="seed-value">
          <input
            className={clsx('input tabular', reason && 'is-invalid')}
            type="number"
            inputMode="numeric"
            step={1}
            min={low}
            max={high}
            aria-label={seed.mode === 'fixed' ? field.label : `First ${field.label.toLowerCase()}`}
            aria-describedby={describedBy}
            aria-invalid={reason ? true : undefined}
            value={seed.value ?? ''}
            onChange={(e) => setSeed({ mode: seed.mode, ...(e.target.value === '' ? {} : { value: e.target.valueAsNumber }) })}
          />
          <IconButton label="Roll a new seed" icon={Dices} onClick={() => setSeed({ mode: seed.mode, value: roll() })} />
        </div>
      )}
      <p className="field-desc" id={descId}>
        {current.desc}
      </p>
      {reason && <FieldReason id={reasonId}>{reason}</FieldReason>}
    </div>
  )
}
