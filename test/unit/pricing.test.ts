import { describe, expect, it } from 'vitest'
import { estimateCost, formatUsd, pricePerImage } from '../../shared/pricing'

const tiered = {
  perImage: 0.25,
  tiers: [
    { when: { quality: 'low', resolution: '1K' }, perImage: 0.012 },
    { when: { quality: 'high', resolution: '4K' }, perImage: 0.4 },
  ],
}

describe('prices', () => {
  it('takes the first tier whose values all match (defaults filling what the request leaves out), else the flat price', () => {
    expect(pricePerImage(tiered, { quality: 'low', resolution: '1K' })).toBe(0.012)
    expect(pricePerImage(tiered, { quality: 'low' }, { resolution: '1K' })).toBe(0.012)
    expect(pricePerImage(tiered, { quality: 'high', resolution: '1K' })).toBe(0.25)
    expect(pricePerImage(null, {})).toBeNull()
  })
  it('estimates images × price, and says so in dollars a designer reads', () => {
    expect(estimateCost({ perImage: 0.035 }, {}, 6)).toBeCloseTo(0.21)
    expect(estimateCost(null, {}, 6)).toBeNull()
    expect([0.035, 0.005, 0.03, 0.21, 1.5, 0.0004].map(formatUsd)).toEqual(['$0.035', '$0.005', '$0.03', '$0.21', '$1.50', '<$0.001'])
  })
})
