// Writes the editor JSON Schema generated from the zod schemas the loader validates with.
import { writeFileSync } from 'node:fs'
import { JSON_SCHEMA_PATH, renderJsonSchema } from '../src/config/json-schema.ts'

const target = new URL(`../${JSON_SCHEMA_PATH}`, import.meta.url)
writeFileSync(target, renderJsonSchema())
console.log(`wrote ${JSON_SCHEMA_PATH}`)
