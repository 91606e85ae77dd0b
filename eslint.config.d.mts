import type { Linter } from 'eslint'

/** The layer rule of src/ on its own. */
export const layering: Linter.Config
declare const config: Linter.Config[]
export default config
