import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vitest from '@vitest/eslint-plugin'
import boundaries from 'eslint-plugin-boundaries'

// The layers of src/, lowest first, and what each may import besides itself (docs/architecture.md).
// A new folder or root file under src/ must be added here before a layer may import it.
const ADAPTER_IMPORTS = [
  'engine',
  'instances',
  'report',
  'config',
  'http',
  'grafana',
  'okta',
  'problems',
  'signals',
  'model',
]
const LAYERS = {
  model: { path: 'src/model.ts', imports: [] },
  // Credentials and the one scrubber: every layer may use them (see BASE below).
  secrets: { path: 'src/secrets/**', imports: [] },
  // Problems lower layers report as codes and fields, worded by each adapter in its own terms.
  problems: { path: '{src/settings.ts,src/rejected-credential.ts}', imports: ['http', 'model'] },
  http: { path: 'src/http/**', imports: ['model'] },
  grafana: { path: 'src/grafana/**', imports: ['http', 'problems', 'model'] },
  okta: { path: 'src/okta/**', imports: ['http', 'problems', 'model'] },
  config: { path: 'src/config/**', imports: ['model'] },
  observe: { path: 'src/observe/**', imports: ['grafana', 'okta', 'http', 'model'] },
  plan: { path: 'src/plan/**', imports: ['model'] },
  // Progress lines use the report's words for each kind of change.
  apply: { path: 'src/apply/**', imports: ['grafana', 'http', 'plan', 'report', 'model'] },
  // The plan's pure helpers (its pull-request part, removal counts) are read by the renderers.
  report: { path: 'src/report/**', imports: ['config', 'plan', 'model'] },
  // The one place where credentials become clients.
  clients: { path: 'src/clients.ts', imports: ['grafana', 'okta', 'problems', 'model'] },
  engine: {
    path: 'src/engine.ts',
    imports: [
      'config',
      'http',
      'grafana',
      'okta',
      'observe',
      'plan',
      'apply',
      'clients',
      'problems',
      'model',
    ],
  },
  // Several Grafana instances: one engine run per instance, one Okta client shared by them.
  instances: {
    path: 'src/instances.ts',
    imports: ['engine', 'config', 'observe', 'okta', 'plan', 'clients', 'model'],
  },
  // The two adapters reach observe, plan and apply only through the engine, and never each other.
  // Process signals (SIGINT, SIGTERM) are the adapters' business.
  signals: { path: 'src/signals.ts', imports: [] },
  action: { path: 'src/action/**', imports: ADAPTER_IMPORTS },
  // Export reads Grafana (and Okta) the way a plan does and proves its YAML with the loader and planner.
  export: {
    path: 'src/export/**',
    imports: ['config', 'observe', 'plan', 'grafana', 'okta', 'http', 'model'],
  },
  // Prometheus metrics of a run's outcome, for serve and --metrics-file.
  metrics: { path: 'src/metrics/**', imports: ['engine', 'http', 'model'] },
  cli: { path: 'src/cli/**', imports: [...ADAPTER_IMPORTS, 'export', 'serve', 'metrics'] },
  // serve is the CLI's long-running command: it shares the CLI's arguments and formatting.
  serve: { path: 'src/serve/**', imports: [...ADAPTER_IMPORTS, 'cli', 'metrics'] },
  entry: { path: 'src/index.ts', imports: ['action', 'cli'] },
}

// What every layer may import: the secrets layer, which imports nothing of the product.
const BASE = ['secrets']

// Every file of a layer has the layer's name as its category.
const layerFiles = Object.entries(LAYERS).map(([name, layer]) => ({
  category: name,
  pattern: layer.path,
}))

// Within one policy a disallow beats an allow, and across policies the last match decides: so a
// layer first loses all of src/, then gets back itself and the layers it may import.
const layerPolicies = Object.entries(LAYERS).flatMap(([name, layer]) => [
  {
    from: { file: { categories: name } },
    disallow: { to: { file: { path: 'src/**' } } },
    message: `${name} (${layer.path}) may import only ${layer.imports.join(', ') || 'itself'}; see LAYERS in eslint.config.mjs`,
  },
  {
    from: { file: { categories: name } },
    allow: { to: { file: { categories: { anyOf: [name, ...layer.imports, ...BASE] } } } },
  },
])

/** The layer rule on its own, also used by test/layers.test.ts. */
export const layering = {
  files: ['src/**/*.ts'],
  ignores: ['src/**/*.test.ts'],
  plugins: { boundaries },
  settings: {
    'boundaries/files': layerFiles,
    'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import'],
  },
  rules: {
    'boundaries/dependencies': ['error', { default: 'allow', policies: layerPolicies }],
    // A file in no layer (a new folder or root file) must be added to LAYERS before it is imported.
    'boundaries/no-unknown-dependencies': 'error',
  },
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  layering,
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['test/**/*.ts', 'src/**/*.test.ts'],
    plugins: { vitest },
    rules: {
      ...vitest.configs.recommended.rules,
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
)
