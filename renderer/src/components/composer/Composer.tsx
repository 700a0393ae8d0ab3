// The left panel of Create: the model, its prompt, images and fields, how many images, and Generate with its price.
import { useEffect, type KeyboardEvent } from 'react'
import { ChevronRight, ImagePlus, Info, Loader2, Settings2, Sparkles, SquareDashed, X } from 'lucide-react'
import { Collapsible } from 'radix-ui'
import clsx from 'clsx'
import { useShallow } from 'zustand/react/shallow'
import type { ModelForm, ParamValue } from '../../../../shared/domain'
import { estimateCost, formatUsd } from '../../../../shared/pricing'
import { generateShortcut, inSentence, summarizeParams } from '../../lib/format'
import { useBalance } from '../../store/balance'
import { controlFields, slotField, useBlockers, useComposer, type ImageSlot } from '../../store/composer'
import { currentForm, useModel } from '../../store/model'
import { useNavigation } from '../../store/navigation'
import { useSecrets } from '../../store/secrets'
import { onUndoKey } from '../../store/undo'
import { Callout } from '../Callout'
import { Hint, Kbd } from '../Hint'
import { IconButton } from '../IconButton'
import { CountStepper } from './CountStepper'
import { FieldControl } from './FieldControl'
import { MaskSlot } from './MaskSlot'
import { ModelPicker } from './ModelPicker'
import { PromptField } from './PromptField'
import { ReferencesTray } from './ReferencesTray'
import { SeedControl } from './SeedControl'
import { useReferenceIntake } from './useReferenceIntake'

function pick(params: Record<string, ParamValue>, names: string[]): Record<string, ParamValue> {
  const picked: Record<string, ParamValue> = {}
  for (const name of names) {
    const value = params[name]
    if (value !== undefined) picked[name] = value
  }
  return picked
}

/** The fields' defaults, which decide a tiered price where a param is not set. */
function defaultsOf(form: ModelForm): Record<string, ParamValue> {
  const defaults: Record<string, ParamValue> = {}
  for (const field of form.fields) if ('default' in field && field.default !== undefined) defaults[field.name] = field.default
  return defaults
}

function ModelFields({ form, reasons }: { form: ModelForm; reasons: Record<string, string> }) {
  const { params, setParam, moreOpen, setMoreOpen } = useComposer(
    useShallow((s) => ({ params: s.params, setParam: s.setParam, moreOpen: s.moreOpen, setMoreOpen: s.setMoreOpen })),
  )
  const fields = controlFields(form)
  // Choices a designer makes on every image (size, ratio, format: the enums) stay in sight even when the
  // schema's `basic` list leaves them out; free-form extras go under "More options".
  const inSight = (f: (typeof fields)[number]) => f.basic || f.kind === 'enum'
  const basic = fields.filter(inSight)
  const more = fields.filter((f) => !inSight(f))
  const moreReason = more.map((f) => reasons[f.name]).find(Boolean)
  const render = (list: typeof fields) =>
    list.map((field) =>
      field.kind === 'number' && field.role === 'seed' ? (
        <SeedControl key={field.name} field={field} reason={reasons[field.name]} />
      ) : (
        <FieldControl key={field.name} field={field} value={params[field.name]} onChange={(v) => setParam(field.name, v)} reason={reasons[field.name]} />
      ),
    )

  return (
    <>
      {basic.length > 0 && <div className="composer-fields">{render(basic)}</div>}
      {more.length > 0 && (
        <Collapsible.Root className="more" open={moreOpen} onOpenChange={setMoreOpen}>
          <Collapsible.Trigger className="more-trigger">
            <ChevronRight className="more-chevron" aria-hidden size={14} strokeWidth={2} />
            More options
            {/* What the hidden fields are set to, so nothing surprising is sent; or what in them holds Generate back. */}
            {!moreOpen && (
              <span className={clsx('more-summary', moreReason && 'more-summary-reason')} aria-hidden={!moreReason}>
                {moreReason ?? summarizeParams(pick(params, more.map((f) => f.name))).join(' · ')}
              </span>
            )}
          </Collapsible.Trigger>
          <Collapsible.Content className="more-content">
            <div className="composer-fields">{render(more)}</div>
          </Collapsible.Content>
        </Collapsible.Root>
      )}
    </>
  )
}

function FormSkeleton() {
  return (
    <div className="composer-fields" aria-hidden>
      {[0, 1, 2].map((i) => (
        <div key={i} className="field">
          <span className="skeleton skeleton-label" />
          <span className="skeleton skeleton-control" />
        </div>
      ))}
    </div>
  )
}

/** What the last model switch could not carry over, in one line. */
function NotCarried() {
  const notCarried = useComposer((s) => s.notCarried)
  if (notCarried.length === 0) return null
  return (
    <div className="carry-note" role="status">
      <Info aria-hidden size={12} strokeWidth={2} />
      <span className="carry-note-text">Not carried over: {notCarried.map(inSentence).join(', ')}</span>
      <IconButton label="Dismiss" icon={X} size="sm" onClick={() => useComposer.setState({ notCarried: [] })} />
    </div>
  )
}

export function Composer() {
  const model = useModel(useShallow((s) => ({ status: s.status, error: s.error, shown: s.form })))
  const form = useModel(currentForm)
  const { count, params, submitting } = useComposer(useShallow((s) => ({ count: s.count, params: s.params, submitting: s.submitting })))
  const { setCount, generate } = useComposer(useShallow((s) => ({ setCount: s.setCount, generate: s.generate })))
  const go = useNavigation((s) => s.go)
  const keyState = useSecrets((s) => s.status?.state)
  const reasons = useBlockers()
  const settingsButton = (
    <button type="button" className="btn btn-secondary btn-sm" onClick={() => go('settings')}>
      <Settings2 aria-hidden size={14} strokeWidth={1.75} />
      Go to Settings
    </button>
  )

  // The form on screen: while another model's loads, the one before (its choices are what carries over).
  const shown = model.shown
  const firstReason = Object.values(reasons)[0]
  const canGenerate = form !== null && !submitting && firstReason === undefined
  const input = slotField(shown, 'input')
  const mask = slotField(shown, 'mask')
  const slots: ImageSlot[] = [...(input ? (['input'] as const) : []), ...(mask ? (['mask'] as const) : [])]
  const intake = useReferenceIntake(slots)
  const cost = form ? estimateCost(form.price, params, count, defaultsOf(form)) : null
  const referenceCount = useComposer((s) => s.images.input.length)
  const balance = useBalance((s) => s.usd)

  // Ctrl/Cmd+Z outside a text field undoes the last Reuse, follow-up, earlier prompt or "Remove all" (while in Create).
  useEffect(() => {
    window.addEventListener('keydown', onUndoKey)
    return () => window.removeEventListener('keydown', onUndoKey)
  }, [])

  /** Generate, or (while something holds it back) say what beside its field, and take the caret to the prompt if it is that. */
  const tryGenerate = () => {
    if (canGenerate) {
      void generate()
      return
    }
    if (!form || submitting) return
    useComposer.setState({ attempted: true })
    if (reasons.prompt !== undefined && firstReason === reasons.prompt) document.getElementById('composer-prompt')?.focus()
  }

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) {
      event.preventDefault()
      tryGenerate()
    }
  }

  return (
    <aside className="composer" aria-label="Composer" onKeyDown={onKeyDown} {...intake.handlers}>
      <div className="composer-scroll">
        <div className="composer-model">
          <ModelPicker reason={reasons.model} />
          <NotCarried />
        </div>

        {model.status === 'error' && model.error && (
          <Callout
            tone={model.error.code === 'no-key' || model.error.code === 'unauthorized' ? 'warning' : 'danger'}
            title="The model’s options could not be loaded"
            role="alert"
            action={settingsButton}
          >
            {model.error.message}
          </Callout>
        )}
        {/* The list of models may load without a key; generating cannot. */}
        {keyState === 'absent' && model.status !== 'error' && (
          <Callout tone="warning" title="Add your Oxen API key" action={settingsButton}>
            Atelier needs your Oxen.ai API key to generate images. Paste it once in Settings; it stays in your system
            keychain.
          </Callout>
        )}

        {(!shown || shown.promptField !== null) && <PromptField form={shown} reason={reasons.prompt} />}

        {input && <ReferencesTray field={input} reason={reasons[input.name]} />}
        {mask && <MaskSlot field={mask} reason={reasons[mask.name]} />}

        {shown ? <ModelFields form={shown} reasons={reasons} /> : model.status === 'loading' && <FormSkeleton />}
      </div>

      <div className="composer-footer">
        <CountStepper value={count} onChange={setCount} />
        <Hint
          content={
            // Held, it says why: a reason of the form, the job being handed over, or the model's options still loading.
            firstReason ??
            (submitting ? (
              'Starting the job…'
            ) : !form && model.status === 'loading' ? (
              'Loading the model’s options from Oxen…'
            ) : (
              <>
                Generate <Kbd>{generateShortcut}</Kbd>
              </>
            ))
          }
        >
          <button
            type="button"
            className="btn btn-primary btn-lg btn-block generate"
            aria-disabled={!canGenerate}
            onClick={tryGenerate}
          >
            {submitting ? (
              <Loader2 className="spin" aria-hidden size={16} strokeWidth={2} />
            ) : (
              <Sparkles aria-hidden size={16} strokeWidth={1.75} />
            )}
            Generate {count}
            {cost !== null && <span className="generate-cost tabular">{` · ≈ ${formatUsd(cost)}`}</span>}
          </button>
        </Hint>
        {balance !== null && (
          <p className={clsx('balance-line tabular', cost !== null && cost > balance && 'balance-short')}>
            {cost !== null && cost > balance ? (
              <span role="status">{`More than your credit balance (${formatUsd(balance)}): add credits on Oxen.ai first.`}</span>
            ) : (
              `Credit balance ${formatUsd(balance)}`
            )}
          </p>
        )}
      </div>

      {intake.dragging && (
        <div className={clsx('drop-overlay', slots.length > 1 && 'drop-overlay-split')} aria-hidden>
          {slots.map((slot) => (
            <div key={slot} className={clsx('drop-overlay-zone', intake.over === slot && 'is-over')} {...intake.zone(slot)}>
              <div className="drop-overlay-card">
                <span className="drop-overlay-icon">
                  {slot === 'mask' ? <SquareDashed size={20} strokeWidth={1.5} /> : <ImagePlus size={20} strokeWidth={1.5} />}
                </span>
                {slot === 'mask' ? (
                  <p className="drop-overlay-title">Drop to use as the mask</p>
                ) : (
                  <>
                    <p className="drop-overlay-title">{input?.maxItems === 1 ? 'Drop to use as the input image' : 'Drop to add reference images'}</p>
                    <p className="drop-overlay-text">
                      PNG, JPEG or WebP
                      {input && input.maxItems > 1 && ` · ${Math.max(0, input.maxItems - referenceCount)} of ${input.maxItems} places left`}
                    </p>
                  </>
                )}
              </div>
            </div>
          ))}
        </div>
      )}
    </aside>
  )
}
