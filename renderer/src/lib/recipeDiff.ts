// The recipes of several images as rows of a comparison: one row per thing a recipe records, with each image's
// value and whether they differ. Parameters are the union of what any of them recorded ("—" where one did not).
import type { FormField, LibraryImage } from '../../../shared/domain'
import { formatCost, paramLabel, paramValue } from './format'

export interface RecipeRow {
  key: string
  label: string
  values: string[]
  differs: boolean
}

export const NOT_RECORDED = '—'

export function recipeRows(images: readonly LibraryImage[], names: { model: (id: string) => string; fields: (modelId: string) => FormField[] | undefined }): RecipeRow[] {
  const row = (key: string, label: string, values: string[]): RecipeRow => ({ key, label, values, differs: new Set(values).size > 1 })
  const params = [...new Set(images.flatMap((i) => Object.keys(i.params)))]
  const fieldsOf = (name: string) => images.map((i) => names.fields(i.modelId)).find((fields) => fields?.some((f) => f.name === name))
  return [
    row('model', 'Model', images.map((i) => names.model(i.modelId))),
    row('prompt', 'Prompt', images.map((i) => i.prompt.trim() || NOT_RECORDED)),
    ...params.map((name) =>
      row(
        `param:${name}`,
        paramLabel(name, fieldsOf(name)),
        images.map((i) => (i.params[name] === undefined ? NOT_RECORDED : paramValue(name, i.params[name]))),
      ),
    ),
    row('size', 'Dimensions', images.map((i) => `${i.width} × ${i.height}`)),
    row('format', 'Format', images.map((i) => i.format.toUpperCase())),
    row('cost', 'Cost', images.map((i) => (i.cost === undefined ? NOT_RECORDED : formatCost(i.cost)))),
  ]
}
