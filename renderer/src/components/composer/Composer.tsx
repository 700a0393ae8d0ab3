// The left panel of Create: prompt, the model's fields, how many images, Generate.
import type { KeyboardEvent } from 'react'
import { ChevronRight, ImagePlus, Loader2, Settings2, SlidersHorizontal, Sparkles } from 'lucide-react'
import { Collapsible } from 'radix-ui'
import { useShallow } from 'zustand/react/shallow'
import type { ModelForm, ParamValue } from '../../../../shared/domain'
import { MAX_PROMPT_CHARS } from '../../../../shared/domain'
import { generateShortcut, summarizeParams } from '../../lib/format'
import { paramFields, referenceField, useComposer } from '../../store/composer'
import { useModel } from '../../store/model'
import { useNavigation } from '../../store/navigation'
import { useSecrets } from '../../store/secrets'
import { Callout } from '../Callout'
import { Hint, Kbd } from '../Hint'
import { CountStepper } from './CountStepper'
import { FieldControl } from './FieldControl'
import { ReferencesTray } from './ReferencesTray'
import { useReferenceIntake } from './useReferenceIntake'

function pick(params: Record<string, ParamValue>, names: string[]): Record<string, ParamValue> {
  const picked: Record<string, ParamValue> = {}
  for (const name of names) {
    const value = params[name]
    if (value !== undefined) picked[name] = value
  }
  return picked
}

function ModelFields({ form }: { form: ModelForm }) {
  const { params, setParam, moreOpen, setMoreOpen } = useComposer(
    useShallow((s) => ({ params: s.params, setParam: s.setParam, moreOpen: s.moreOpen, setMoreOpen: s.setMoreOpen })),
  )
  const fields = paramFields(form)
  // Choices a designer makes on every image (size, ratio, format: the enums) stay in sight even when the
  // schema's `basic` list leaves them out; free-form extras go under "More options".
  const inSight = (f: (typeof fields)[number]) => f.basic || f.kind === 'enum'
  const basic = fields.filter(inSight)
  const more = fields.filter((f) => !inSight(f))
  const render = (list: typeof fields) =>
    list.map(
      (field) =>
        field.kind !== 'images' && (
          <FieldControl key={field.name} field={field} value={params[field.name]} onChange={(v) => setParam(field.name, v)} />
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
            {/* What the hidden fields are set to, so nothing surprising is sent. */}
            {!moreOpen && (
              <span className="more-summary" aria-hidden>
                {summarizeParams(pick(params, more.map((f) => f.name))).join(' · ')}
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

export function Composer() {
  const model = useModel(useShallow((s) => ({ status: s.status, form: s.form, error: s.error })))
  const { prompt, count, submitting } = useComposer(useShallow((s) => ({ prompt: s.prompt, count: s.count, submitting: s.submitting })))
  const { setPrompt, setCount, generate } = useComposer(
    useShallow((s) => ({ setPrompt: s.setPrompt, setCount: s.setCount, generate: s.generate })),
  )
  const go = useNavigation((s) => s.go)
  const keyState = useSecrets((s) => s.status?.state)
  const settingsButton = (
    <button type="button" className="btn btn-secondary btn-sm" onClick={() => go('settings')}>
      <Settings2 aria-hidden size={14} strokeWidth={1.75} />
      Go to Settings
    </button>
  )

  const ready = model.form !== null
  const canGenerate = ready && !submitting
  const references = referenceField(model.form)
  const referenceCount = useComposer((s) => s.references.length)
  const intake = useReferenceIntake(references !== undefined)

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) {
      event.preventDefault()
      if (canGenerate) void generate()
    }
  }

  return (
    <aside className="composer" aria-label="Composer" onKeyDown={onKeyDown} {...intake.handlers}>
      <div className="composer-scroll">
        <div className="panel-heading">
          <SlidersHorizontal aria-hidden size={14} strokeWidth={1.75} />
          <h2>Compose</h2>
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
        {/* The catalog may load without a key; generating cannot. */}
        {keyState === 'absent' && model.status !== 'error' && (
          <Callout tone="warning" title="Add your Oxen API key" action={settingsButton}>
            Atelier needs your Oxen.ai API key to generate images. Paste it once in Settings; it stays in your system
            keychain.
          </Callout>
        )}

        <div className="field">
          <div className="field-label-row">
            <label className="field-label" htmlFor="composer-prompt">
              Prompt
            </label>
            <span className="field-hint" aria-hidden>
              {prompt.length > MAX_PROMPT_CHARS * 0.8 ? `${prompt.length} / ${MAX_PROMPT_CHARS}` : ''}
            </span>
          </div>
          <textarea
            id="composer-prompt"
            className="textarea prompt"
            rows={6}
            maxLength={MAX_PROMPT_CHARS}
            placeholder="Describe the image you want: subject, setting, light, lens, mood…"
            value={prompt}
            onChange={(e) => setPrompt(e.target.value)}
            spellCheck
          />
        </div>

        {references && <ReferencesTray field={references} />}

        {model.form ? <ModelFields form={model.form} /> : model.status === 'loading' && <FormSkeleton />}
      </div>

      <div className="composer-footer">
        <CountStepper value={count} onChange={setCount} />
        <Hint
          content={
            <>
              Generate <Kbd>{generateShortcut}</Kbd>
            </>
          }
        >
          <button
            type="button"
            className="btn btn-primary btn-lg btn-block"
            aria-disabled={!canGenerate}
            onClick={() => canGenerate && void generate()}
          >
            {submitting ? (
              <Loader2 className="spin" aria-hidden size={16} strokeWidth={2} />
            ) : (
              <Sparkles aria-hidden size={16} strokeWidth={1.75} />
            )}
            Generate
          </button>
        </Hint>
      </div>

      {intake.dragging && references && (
        <div className="drop-overlay" aria-hidden>
          <div className="drop-overlay-card">
            <span className="drop-overlay-icon">
              <ImagePlus size={20} strokeWidth={1.5} />
            </span>
            <p className="drop-overlay-title">Drop to add reference images</p>
            <p className="drop-overlay-text">
              PNG, JPEG or WebP · {Math.max(0, references.maxItems - referenceCount)} of {references.maxItems} places left
            </p>
          </div>
        </div>
      )}
    </aside>
  )
}
