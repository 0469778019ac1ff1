/**
 * The architecture of src/, enforced by tests/unit/architecture.test.ts. `ls src/` lists these layers;
 * imports point only DOWN this list. Folders in one layer may import each other, but nothing may form a cycle.
 */
const LAYERS = [
  { name: 'entry point', path: '^src/main\\.ts$' },
  { name: 'cli', path: '^src/cli/' },
  { name: 'commands', path: '^src/commands/' },
  { name: 'ui', path: '^src/ui/' },
  { name: 'domain', path: '^src/(module|workspace|shared-service|deploy|audit|upgrade|python|catalog|templates|secrets)/' },
  { name: 'formats and transaction', path: '^src/(formats|transaction)/' },
  { name: 'effects and base', path: '^src/(effects/|errors\\.ts$|version\\.ts$)' },
];

const upward = LAYERS.slice(1).map((layer, i) => ({
  name: `no-upward-from-${layer.name.replace(/\W+/g, '-')}`,
  comment: `${layer.name} must not import ${LAYERS.slice(0, i + 1).map((l) => l.name).join(', ')} (imports point down the layers)`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: LAYERS.slice(0, i + 1).map((l) => l.path) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-cycles',
      comment: 'no import cycles anywhere, not even within one folder',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'every-file-in-a-layer',
      comment: 'a new top-level folder of src/ must be given its place in the layers of .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/', pathNot: LAYERS.map((l) => l.path) },
      to: {},
    },
    {
      name: 'no-unresolvable',
      comment: 'every import resolves (to a file or an installed package)',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'src-only-imports-src-and-packages',
      comment: 'src/ never imports tests, scripts or dist',
      severity: 'error',
      from: { path: '^src/' },
      to: { pathNot: ['^src/', 'node_modules', '^node:', '^(fs|path|url|os|child_process|crypto|net|util|readline|process|events|stream|tty|assert)'], dependencyTypesNot: ['core'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
