// An icon-only button: its label is both its accessible name and its tooltip.
import type { ComponentPropsWithoutRef } from 'react'
import type { LucideIcon } from 'lucide-react'
import clsx from 'clsx'
import { Hint } from './Hint'

interface IconButtonProps extends Omit<ComponentPropsWithoutRef<'button'>, 'children'> {
  label: string
  icon: LucideIcon
  size?: 'sm' | 'md'
  tooltipSide?: 'top' | 'right' | 'bottom' | 'left'
}

export function IconButton({ label, icon: Icon, size = 'md', tooltipSide, className, ...rest }: IconButtonProps) {
  return (
    <Hint content={label} side={tooltipSide}>
      <button type="button" aria-label={label} className={clsx('icon-btn', `icon-btn-${size}`, className)} {...rest}>
        <Icon aria-hidden size={size === 'sm' ? 14 : 16} strokeWidth={1.75} />
      </button>
    </Hint>
  )
}
