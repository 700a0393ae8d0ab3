// The composer's model: Oxen's image models in a popover, searched as you type (name, developer, id), recent picks
// first, then by what each does, each with its price per image. cmdk gives the combobox its keyboard and roles
// (type to filter, arrows, Enter picks); Radix's popover closes it on Esc and hands focus back to the trigger.
import { useState } from 'react'
import { Command } from 'cmdk'
import { AlertTriangle, Brush, Check, ChevronsUpDown, RefreshCw, Scaling, Search, Sparkles, type LucideIcon } from 'lucide-react'
import { Popover } from 'radix-ui'
import clsx from 'clsx'
import { useShallow } from 'zustand/react/shallow'
import type { ModelKind, ModelSummary } from '../../../../shared/domain'
import { formatAge, formatPrice } from '../../lib/format'
import { findModel, useModel } from '../../store/model'
import { FieldReason } from './FieldControl'

const KINDS: { kind: ModelKind; heading: string; icon: LucideIcon }[] = [
  { kind: 'generate', heading: 'Generate', icon: Sparkles },
  { kind: 'edit', heading: 'Edit', icon: Brush },
  { kind: 'upscale', heading: 'Upscale', icon: Scaling },
]

const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1)

/** Every word typed appears in its name, developer or id. */
function matches(model: ModelSummary, words: string[]): boolean {
  const text = `${model.displayName} ${model.developer ?? ''} ${model.id}`.toLowerCase()
  return words.every((word) => text.includes(word))
}

function ModelOption({ model, chosen, onPick }: { model: ModelSummary; chosen: boolean; onPick: (id: string) => void }) {
  const price = formatPrice(model.price)
  const deployment = model.custom?.deployment
  const stopped = deployment !== undefined && deployment !== 'running'
  return (
    <Command.Item value={model.id} onSelect={onPick} className="model-option">
      <span className="model-option-check" aria-hidden>
        {chosen && <Check size={14} strokeWidth={2} />}
      </span>
      <span className="model-option-name">{model.displayName}</span>
      {deployment && <span className={clsx('model-badge', stopped ? 'model-badge-stopped' : 'model-badge-running')}>{capitalized(deployment)}</span>}
      {price && <span className="model-option-price tabular">{price}</span>}
      <span className={clsx('model-option-meta', stopped && 'model-option-warning')}>
        {stopped ? 'Your model: start its deployment on Oxen.ai to use it' : [model.developer, model.description].filter(Boolean).join(' · ')}
      </span>
    </Command.Item>
  )
}

/** How old the list is, Refresh, and why the last refresh failed. */
function CatalogueStatus() {
  const { catalogue, refreshing, refresh } = useModel(useShallow((s) => ({ catalogue: s.catalogue, refreshing: s.refreshing, refresh: s.refresh })))
  const fetchedAt = catalogue?.fetchedAt ?? null
  // After a failed refresh the list is the one saved before: how old it is matters most then.
  const saved = catalogue?.error && catalogue.models.length > 0 ? 'Saved list, updated' : 'Updated'
  return (
    <div className="model-status">
      <div className="model-status-row">
        <span className="model-status-age" role="status">
          {refreshing ? 'Refreshing…' : fetchedAt === null ? 'Not fetched from Oxen yet' : `${saved} ${formatAge(fetchedAt, Date.now())}`}
        </span>
        <button type="button" className="btn btn-ghost btn-sm" aria-disabled={refreshing} onClick={() => !refreshing && void refresh()}>
          <RefreshCw className={clsx(refreshing && 'spin')} aria-hidden size={12} strokeWidth={2} />
          Refresh
        </button>
      </div>
      {catalogue?.error && !refreshing && (
        <p className="model-status-error">
          <AlertTriangle aria-hidden size={12} strokeWidth={2} />
          <span>{catalogue.error}</span>
        </p>
      )}
    </div>
  )
}

export function ModelPicker({ reason }: { reason?: string }) {
  const [open, setOpen] = useState(false)
  const [search, setSearch] = useState('')
  const { catalogue, modelId, recent, form, select, loadCatalogue } = useModel(
    useShallow((s) => ({ catalogue: s.catalogue, modelId: s.modelId, recent: s.recent, form: s.form, select: s.select, loadCatalogue: s.loadCatalogue })),
  )
  const current = findModel(catalogue, modelId)
  const name = current?.displayName ?? (form?.modelId === modelId ? form?.displayName : modelId) ?? 'Choose a model'
  const kind = KINDS.find((k) => k.kind === current?.kind)
  const KindIcon = kind?.icon ?? Sparkles
  const price = current && formatPrice(current.price)
  const meta = [current?.developer, price && `${price} per image`].filter(Boolean).join(' · ')

  const words = search.toLowerCase().split(/\s+/).filter(Boolean)
  const found = (catalogue?.models ?? []).filter((m) => matches(m, words))
  const recentFound = recent.flatMap((id) => found.filter((m) => m.id === id))
  const groups = [
    { key: 'recent', heading: 'Recent', models: recentFound },
    ...KINDS.map(({ kind, heading }) => ({ key: kind, heading, models: found.filter((m) => m.kind === kind && !recentFound.includes(m)) })),
  ]

  const onOpenChange = (next: boolean) => {
    setOpen(next)
    if (!next) return
    setSearch('')
    // Main may have refreshed its copy since (it does at start).
    void loadCatalogue()
  }
  const pick = (id: string) => {
    setOpen(false)
    void select(id)
  }

  return (
    <div className="model-picker">
      <Popover.Root open={open} onOpenChange={onOpenChange}>
        <Popover.Trigger
          className={clsx('model-trigger', reason && 'model-trigger-blocked')}
          aria-label={`Model: ${name}`}
          aria-description={meta || undefined}
        >
          <span className="model-trigger-icon" aria-hidden>
            <KindIcon size={14} strokeWidth={1.75} />
          </span>
          <span className="model-trigger-text">
            <span className="model-trigger-name">{name}</span>
            {/* Drawn from data-meta by CSS: a description, not part of the label a speech user says (WCAG 2.5.3). */}
            {meta && <span className="model-trigger-meta" data-meta={meta} aria-hidden />}
          </span>
          <ChevronsUpDown className="model-trigger-chevron" aria-hidden size={14} strokeWidth={1.75} />
        </Popover.Trigger>
        <Popover.Portal>
          <Popover.Content className="model-popover" align="start" side="bottom" sideOffset={6} collisionPadding={12} aria-label="Choose a model">
            <Command label="Models" shouldFilter={false} loop className="model-command">
              <div className="model-search">
                <Search className="model-search-icon" aria-hidden size={14} strokeWidth={1.75} />
                <Command.Input className="model-search-input" value={search} onValueChange={setSearch} placeholder="Search models, developers…" />
              </div>
              <Command.List className="model-list" label="Models">
                <Command.Empty className="model-empty">
                  {!catalogue ? 'Loading models…' : catalogue.models.length === 0 ? 'No models yet: refresh the list below.' : `No model matches “${search}”.`}
                </Command.Empty>
                {groups.map(
                  (group) =>
                    group.models.length > 0 && (
                      <Command.Group key={group.key} heading={group.heading} className="model-group">
                        {group.models.map((model) => (
                          <ModelOption key={model.id} model={model} chosen={model.id === modelId} onPick={pick} />
                        ))}
                      </Command.Group>
                    ),
                )}
              </Command.List>
            </Command>
            <CatalogueStatus />
          </Popover.Content>
        </Popover.Portal>
      </Popover.Root>
      {reason && <FieldReason>{reason}</FieldReason>}
    </div>
  )
}
