// What a request will cost, from the model's price: the same arithmetic for the estimate on the Generate button
// and for the job's estimate in main. The actual charge is the generation record's `cost` (API.md §13).
import type { ModelPrice, ParamValue } from './domain'

/** USD per image for these parameter values: the first tier whose values all match, else the flat price. */
export function pricePerImage(price: ModelPrice | null, params: Record<string, ParamValue>, defaults: Record<string, ParamValue> = {}): number | null {
  if (!price) return null
  const value = (name: string) => String(params[name] ?? defaults[name] ?? '')
  const tier = price.tiers?.find((t) => Object.entries(t.when).every(([name, wanted]) => value(name) === wanted))
  return tier?.perImage ?? price.perImage ?? null
}

/** The estimate for `images` images, or null when the model has no price Atelier can read. */
export function estimateCost(price: ModelPrice | null, params: Record<string, ParamValue>, images: number, defaults: Record<string, ParamValue> = {}): number | null {
  const each = pricePerImage(price, params, defaults)
  return each === null ? null : each * images
}

/** "$0.21", "$0.035", "$0.005": cents, or tenths of a cent under ten cents (per-image prices live there). */
export function formatUsd(amount: number): string {
  if (amount > 0 && amount < 0.001) return '<$0.001'
  return `$${amount.toFixed(amount < 0.1 ? 3 : 2).replace(/(\.\d\d)0$/, '$1')}`
}
