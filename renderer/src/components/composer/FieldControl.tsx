// One control per model field, named by the field's label: a segmented control for short enums,
// a select for longer ones, a switch for booleans, inputs for numbers and text.
import { useId } from 'react'
import { Check, ChevronDown } from 'lucide-react'
import { Select, Switch, ToggleGroup } from 'radix-ui'
import type { FormField, ParamValue } from '../../../../shared/domain'
import { formatOption } from '../../lib/format'

type ControlField = Exclude<FormField, { kind: 'images' }>

interface FieldControlProps {
  field: ControlField
  value: ParamValue | undefined
  onChange: (value: ParamValue | undefined) => void
}

const SEGMENTED_MAX = 4

export function FieldControl({ field, value, onChange }: FieldControlProps) {
  const id = useId()
  const labelId = `${id}-label`
  const descId = field.description ? `${id}-desc` : undefined

  const label = (
    <span className="field-label" id={labelId}>
      {field.label}
    </span>
  )
  const description = field.description && (
    <p className="field-desc" id={descId}>
      {field.description}
    </p>
  )

  switch (field.kind) {
    case 'enum': {
      const current = typeof value === 'string' ? value : (field.default ?? field.options[0])
      if (field.options.length <= SEGMENTED_MAX) {
        return (
          <div className="field">
            {label}
            <ToggleGroup.Root
              type="single"
              className="segmented"
              aria-labelledby={labelId}
              aria-describedby={descId}
              value={current}
              // Radix lets a click on the active item clear it; a model field always has a value.
              onValueChange={(next) => next && onChange(next)}
            >
              {field.options.map((option) => (
                <ToggleGroup.Item key={option} value={option} className="segmented-item">
                  {formatOption(field.name, option)}
                </ToggleGroup.Item>
              ))}
            </ToggleGroup.Root>
            {description}
          </div>
        )
      }
      return (
        <div className="field">
          {label}
          <Select.Root value={current} onValueChange={onChange}>
            <Select.Trigger className="select-trigger" aria-labelledby={labelId} aria-describedby={descId}>
              <Select.Value />
              <Select.Icon className="select-icon">
                <ChevronDown size={14} strokeWidth={1.75} />
              </Select.Icon>
            </Select.Trigger>
            <Select.Portal>
              <Select.Content className="select-content" position="popper" sideOffset={4}>
                <Select.Viewport className="select-viewport">
                  {field.options.map((option) => (
                    <Select.Item key={option} value={option} className="select-item">
                      <Select.ItemText>{formatOption(field.name, option)}</Select.ItemText>
                      <Select.ItemIndicator className="select-check">
                        <Check size={14} strokeWidth={2} />
                      </Select.ItemIndicator>
                    </Select.Item>
                  ))}
                </Select.Viewport>
              </Select.Content>
            </Select.Portal>
          </Select.Root>
          {description}
        </div>
      )
    }
    case 'boolean':
      return (
        <div className="field field-inline">
          {label}
          <Switch.Root
            className="switch"
            aria-labelledby={labelId}
            aria-describedby={descId}
            checked={value === true}
            onCheckedChange={(checked) => onChange(checked)}
          >
            <Switch.Thumb className="switch-thumb" />
          </Switch.Root>
          {description}
        </div>
      )
    case 'number':
      return (
        <div className="field">
          <label className="field-label" htmlFor={id}>
            {field.label}
          </label>
          <input
            id={id}
            className="input"
            type="number"
            inputMode={field.integer ? 'numeric' : 'decimal'}
            step={field.integer ? 1 : 'any'}
            min={field.min}
            max={field.max}
            placeholder={field.default === undefined ? 'Default' : String(field.default)}
            aria-describedby={descId}
            value={typeof value === 'number' ? value : ''}
            onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.valueAsNumber)}
          />
          {description}
        </div>
      )
    case 'text':
      return (
        <div className="field">
          <label className="field-label" htmlFor={id}>
            {field.label}
          </label>
          <input
            id={id}
            className="input"
            type="text"
            aria-describedby={descId}
            value={typeof value === 'string' ? value : ''}
            onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
          />
          {description}
        </div>
      )
  }
}
