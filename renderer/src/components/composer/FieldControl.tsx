// One control per model field, named by the field's label: a segmented control for short enums, a select for longer
// ones, a switch for booleans, inputs for numbers and text, a textarea for multiline text, and a JSON textarea for
// anything else (checked on blur; text that does not parse stays as typed, with the reason). A field that holds
// Generate back says why right under it.
import { useId, useState, type KeyboardEvent } from 'react'
import { Check, ChevronDown, CircleAlert } from 'lucide-react'
import { Select, Switch, ToggleGroup } from 'radix-ui'
import clsx from 'clsx'
import type { ParamValue } from '../../../../shared/domain'
import { formatOption } from '../../lib/format'
import { useComposer, type ControlField } from '../../store/composer'

interface FieldControlProps {
  field: ControlField
  value: ParamValue | undefined
  onChange: (value: ParamValue | undefined) => void
  /** Why Generate waits on this field. */
  reason?: string
}

const SEGMENTED_MAX = 4

/** A field's reason to hold Generate back, where the user is looking. */
export function FieldReason({ id, children }: { id?: string; children: string }) {
  return (
    <p className="field-reason" id={id}>
      <CircleAlert aria-hidden size={12} strokeWidth={2} />
      {children}
    </p>
  )
}

function range(min: number | undefined, max: number | undefined): string | null {
  if (min !== undefined && max !== undefined) return `${min}–${max}`
  if (min !== undefined) return `≥ ${min}`
  if (max !== undefined) return `≤ ${max}`
  return null
}

function JsonInput({ id, name, value, describedBy }: { id: string; name: string; value: ParamValue | undefined; describedBy?: string }) {
  const draft = useComposer((s) => s.jsonDrafts[name])
  const commitJson = useComposer((s) => s.commitJson)
  const [text, setText] = useState(() => draft?.text ?? (value === undefined ? '' : JSON.stringify(value, null, 2)))
  const commit = () => commitJson(name, text)
  // ⌘/Ctrl Enter generates from anywhere in the composer: what is typed here counts.
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) commit()
  }
  return (
    <textarea
      id={id}
      className={clsx('textarea mono json-input', draft && 'is-invalid')}
      rows={4}
      spellCheck={false}
      aria-invalid={draft ? true : undefined}
      aria-describedby={describedBy}
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={onKeyDown}
    />
  )
}

export function FieldControl({ field, value, onChange, reason }: FieldControlProps) {
  const id = useId()
  const labelId = `${id}-label`
  const descId = field.description ? `${id}-desc` : undefined
  const reasonId = reason ? `${id}-reason` : undefined
  const describedBy = [descId, reasonId].filter(Boolean).join(' ') || undefined

  const label = (
    <span className="field-label" id={labelId}>
      {field.label}
    </span>
  )
  const footer = (
    <>
      {field.description && (
        <p className="field-desc" id={descId}>
          {field.description}
        </p>
      )}
      {reason && <FieldReason id={reasonId}>{reason}</FieldReason>}
    </>
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
              aria-describedby={describedBy}
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
            {footer}
          </div>
        )
      }
      return (
        <div className="field">
          {label}
          <Select.Root value={current} onValueChange={onChange}>
            <Select.Trigger className="select-trigger" aria-labelledby={labelId} aria-describedby={describedBy}>
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
          {footer}
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
            aria-describedby={describedBy}
            checked={value === true}
            onCheckedChange={(checked) => onChange(checked)}
          >
            <Switch.Thumb className="switch-thumb" />
          </Switch.Root>
          {footer}
        </div>
      )
    case 'number': {
      const bounds = range(field.min, field.max)
      return (
        <div className="field">
          <div className="field-label-row">
            <label className="field-label" htmlFor={id}>
              {field.label}
            </label>
            {bounds && <span className="field-hint tabular">{bounds}</span>}
          </div>
          <input
            id={id}
            className={clsx('input tabular', reason && 'is-invalid')}
            type="number"
            inputMode={field.integer ? 'numeric' : 'decimal'}
            step={field.integer ? 1 : 'any'}
            min={field.min}
            max={field.max}
            placeholder={field.default === undefined ? 'Default' : String(field.default)}
            aria-describedby={describedBy}
            aria-invalid={reason ? true : undefined}
            value={typeof value === 'number' ? value : ''}
            onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.valueAsNumber)}
          />
          {footer}
        </div>
      )
    }
    case 'text':
      return (
        <div className="field">
          <label className="field-label" htmlFor={id}>
            {field.label}
          </label>
          {field.multiline ? (
            <textarea
              id={id}
              className="textarea"
              rows={3}
              aria-describedby={describedBy}
              value={typeof value === 'string' ? value : ''}
              onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
            />
          ) : (
            <input
              id={id}
              className="input"
              type="text"
              aria-describedby={describedBy}
              value={typeof value === 'string' ? value : ''}
              onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
            />
          )}
          {footer}
        </div>
      )
    case 'json':
      return (
        <div className="field">
          <div className="field-label-row">
            <label className="field-label" htmlFor={id}>
              {field.label}
            </label>
            <span className="field-hint">JSON</span>
          </div>
          <JsonInput key={JSON.stringify(value) ?? ''} id={id} name={field.name} value={value} describedBy={describedBy} />
          {footer}
        </div>
      )
  }
}
