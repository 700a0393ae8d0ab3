// "Number of images": 1–15.
import { MAX_IMAGES, MIN_IMAGES } from '../../../../shared/limits'
import { NumberStepper } from '../NumberStepper'

interface CountStepperProps {
  value: number
  onChange: (value: number) => void
}

export function CountStepper({ value, onChange }: CountStepperProps) {
  return (
    <NumberStepper
      id="composer-count"
      label="Number of images"
      value={value}
      min={MIN_IMAGES}
      max={MAX_IMAGES}
      onChange={onChange}
      decreaseLabel="Fewer images"
      increaseLabel="More images"
    />
  )
}
