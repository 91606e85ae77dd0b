import * as z from 'zod'
import { configFileSchema } from './schema.ts'

export const JSON_SCHEMA_PATH = 'schema/config.schema.json'

/** The editor schema, as committed at JSON_SCHEMA_PATH: 2-space JSON with a trailing newline. */
export function renderJsonSchema(): string {
  // draft-07 is the newest draft every common YAML editor plugin understands fully.
  const schema = z.toJSONSchema(configFileSchema, { target: 'draft-07' })
  return JSON.stringify(schema, null, 2) + '\n'
}
