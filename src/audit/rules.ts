import type { CodeFacts } from './code-facts.js';
import { findNonAtomicWrite, findPartialAssetKeyUse, findRunScopedPartitionReads, findStringLiterals, type CodeLocation } from './dagster-code.js';
import type { AuditModule } from './module-model.js';

/** One rule's verdict on one module. `skip`: the rule does not apply (shown in --json only, not counted). */
export interface Outcome {
  ok: boolean | 'skip';
  message: string;
  at?: { file: string; line?: number };
}

export interface AuditRule {
  id: string;
  /** What a failed rule is: FAIL makes the audit fail (exit 1), WARN only reports. */
  level: 'FAIL' | 'WARN';
  /** A failure risks losing data or leaking secrets: the overall status becomes CRITICAL. */
  critical: boolean;
  /** What the rule looks for (the README's rule table is this column). */
  looksFor: string;
  recommendation: string;
  /** `dmb upgrade` can fix it. */
  fixable: boolean;
  check(module: AuditModule, code: CodeFacts): Outcome;
}

const STORAGE_DEFAULT = '/tmp/dagster_storage';
const STORAGE_ENV = 'DAGSTER_STORAGE_PATH';

const pass = (message: string, at?: Outcome['at']): Outcome => ({ ok: true, message, at });
const fail = (message: string, at?: Outcome['at']): Outcome => ({ ok: false, message, at });
const skip = (message: string): Outcome => ({ ok: 'skip', message });

/** A code location as messages show it: relative to the module folder. */
function where(module: AuditModule, location: CodeLocation): Outcome['at'] {
  return { file: `${module.packageDir}/${location.file.path}`, line: location.line };
}

const normalise = (path: string) => path.replace(/\/+$/, '');

const noPackage = (module: AuditModule) => `No Python package found (looked for src/${module.snake}_dagster/)`;

const WORKSPACE_FILES: Array<{ id: string; file: string; what: string }> = [
  { id: 'workspace_yaml', file: 'workspace.yaml', what: 'the code location entry' },
  { id: 'workspace_compose', file: 'docker-compose.yml', what: 'the module\'s services' },
  { id: 'workspace_env', file: '.env', what: 'the module\'s variables' },
  { id: 'workspace_dockerfile_snippet', file: 'dockerfile.snippet', what: 'packages and PYTHONPATH' },
];

export const AUDIT_RULES: AuditRule[] = [
  {
    id: 'python_parses',
    level: 'FAIL',
    critical: true,
    looksFor: 'every .py file of the package parses (tree-sitter-python)',
    recommendation: 'Fix the syntax errors: Dagster cannot load a module whose files do not parse',
    fixable: false,
    check(module) {
      if (!module.pkg) return skip(noPackage(module));
      const [first, ...more] = module.parseErrors;
      if (!first) return pass(`Python files parse (${module.pkg.files.size})`);
      const others = more.length > 0 ? ` (and ${more.length} more: ${more.map((e) => `${e.file}:${e.line}`).join(', ')})` : '';
      return fail(`Syntax error at line ${first.line}, column ${first.column}${others}`, { file: first.file, line: first.line });
    },
  },
  {
    id: 'resources_py',
    level: 'FAIL',
    critical: false,
    looksFor: 'the package has a resources.py',
    recommendation: 'Create resources.py with custom IO manager',
    fixable: true,
    check(module) {
      if (!module.pkg) return fail(noPackage(module));
      const file = [...module.pkg.files.keys()].find((path) => path === 'resources.py' || path.endsWith('/resources.py') || path.endsWith('resources/__init__.py'));
      return file ? pass('Has resources.py', { file: `${module.packageDir}/${file}` }) : fail('No resources.py');
    },
  },
  {
    id: 'definitions',
    level: 'FAIL',
    critical: true,
    looksFor: 'a Definitions object in __init__.py (or definitions.py in the dg layout), also through Definitions.merge, @definitions functions and imports',
    recommendation: 'Expose the module\'s assets and resources as `defs = Definitions(...)` in __init__.py',
    fixable: false,
    check(module, code) {
      if (!module.pkg) return skip(noPackage(module));
      const first = code.definitions[0];
      const entry = module.layout === 'dg' ? 'definitions.py' : '__init__.py';
      return first ? pass('Has Dagster Definitions', where(module, first)) : fail(`No Definitions found from ${entry}`, { file: `${module.packageDir}/${entry}` });
    },
  },
  {
    id: 'custom_io_manager',
    level: 'FAIL',
    critical: true,
    looksFor: 'a class of the package derived from IOManager / ConfigurableIOManager / UPathIOManager (not a comment or string that names one)',
    recommendation: 'Add custom IO manager to resources.py',
    fixable: true,
    check(module, code) {
      if (!module.pkg) return skip(noPackage(module));
      const first = code.ioClasses[0];
      return first ? pass(`Has custom IO manager (${first.cls.name})`, where(module, first)) : fail('No custom IO manager class');
    },
  },
  {
    id: 'storage_path',
    level: 'FAIL',
    critical: true,
    looksFor: `the code reads ${STORAGE_ENV} and uses ${STORAGE_DEFAULT} (a string in code, not a comment or docstring) as its default`,
    recommendation: `Update IO manager to use ${STORAGE_DEFAULT}/ (default of ${STORAGE_ENV})`,
    fixable: true,
    check(module, code) {
      if (!module.pkg) return skip(noPackage(module));
      const reads = code.envReads.filter((read) => read.name === STORAGE_ENV);
      const literal = findStringLiterals(module.pkg, (value) => normalise(value) === STORAGE_DEFAULT)[0];
      const otherDefault = reads.find((read) => read.defaultValue !== undefined && normalise(read.defaultValue) !== STORAGE_DEFAULT);
      if (otherDefault) return fail(`${STORAGE_ENV} defaults to ${otherDefault.defaultValue}, not ${STORAGE_DEFAULT}/`, where(module, otherDefault));
      if (reads[0] && literal) return pass(`Uses ${STORAGE_DEFAULT}/ (default of ${STORAGE_ENV})`, where(module, reads[0]));
      if (literal) return fail(`${STORAGE_DEFAULT} is hard-coded: ${STORAGE_ENV} is never read`, where(module, literal));
      if (reads[0]) return fail(`${STORAGE_ENV} is read without the ${STORAGE_DEFAULT} default`, where(module, reads[0]));
      return fail(`Does not use ${STORAGE_DEFAULT}/ (${STORAGE_ENV} is never read)`);
    },
  },
  {
    id: 'io_manager_registered',
    level: 'FAIL',
    critical: true,
    looksFor: 'Definitions(resources={"io_manager": ...}) holds an instance; an @io_manager factory returning a ConfigurableIOManager skips EnvVar resolution and setup/teardown',
    recommendation: 'Register the IO manager as an instance: resources={"io_manager": MyIOManager(...)}',
    fixable: true,
    check(module, code) {
      if (!module.pkg) return skip(noPackage(module));
      const registration = code.registration;
      if (!registration) {
        if (code.definitions.length === 0) return fail('IO manager not registered (no Definitions found)');
        return fail('No "io_manager" resource in Definitions: Dagster falls back to its default IO manager', where(module, code.definitions[0]!));
      }
      const at = where(module, registration);
      switch (registration.kind) {
        case 'instance':
          return pass(`IO manager registered as an instance${registration.className ? ` (${registration.className})` : ''}`, at);
        case 'factory':
          return fail(
            registration.returnsConfigurable
              ? `IO manager registered through the @io_manager factory ${registration.name}: its ConfigurableIOManager skips EnvVar resolution`
              : `IO manager registered as the factory ${registration.name}, not an instance`,
            at,
          );
        case 'class':
          return fail(`IO manager registered as the class ${registration.className}, not an instance (call it)`, at);
        default:
          return pass('IO manager registered (built in a way audit cannot follow)', at);
      }
    },
  },
  {
    id: 'io_manager_full_key',
    level: 'FAIL',
    critical: true,
    looksFor: 'the IO manager keys files by the whole asset key, not `asset_key.path[-1]` (two modules\' same-named assets would share a file)',
    recommendation: 'Key storage by the full asset key (base / *asset_key.path), so same-named assets of two modules never share a file',
    fixable: true,
    check(module, code) {
      if (code.ioClasses.length === 0) return skip('No custom IO manager');
      for (const ioClass of code.ioClasses) {
        const partial = findPartialAssetKeyUse(ioClass);
        if (partial) return fail(`IO manager ${ioClass.cls.name} keys storage by part of the asset key`, where(module, partial));
      }
      return pass('IO manager keys storage by the full asset key', where(module, code.ioClasses[0]!));
    },
  },
  {
    id: 'io_manager_partitions',
    level: 'FAIL',
    critical: true,
    looksFor: 'no `getattr(context, "partition_key", ...)` or `has_partition_key` in the IO manager (run-scoped; raises or misleads on mixed runs)',
    recommendation: 'Read partitions with the asset-scoped API: context.has_asset_partitions, then context.asset_partition_keys',
    fixable: true,
    check(module, code) {
      if (code.ioClasses.length === 0) return skip('No custom IO manager');
      for (const ioClass of code.ioClasses) {
        const read = findRunScopedPartitionReads(ioClass);
        if (read) return fail(`IO manager ${ioClass.cls.name} reads the run's partition_key, not the asset's partitions`, where(module, read));
      }
      return pass('IO manager reads partitions through the asset-scoped API');
    },
  },
  {
    id: 'io_manager_atomic',
    level: 'WARN',
    critical: false,
    looksFor: 'the IO manager writes through a temporary file and a rename (os.replace, Path.replace)',
    recommendation: 'Write stored values atomically (temp file in the same folder, then os.replace) so a crash never leaves half a file',
    fixable: true,
    check(module, code) {
      if (code.ioClasses.length === 0) return skip('No custom IO manager');
      for (const ioClass of code.ioClasses) {
        const write = findNonAtomicWrite(ioClass);
        if (write) return fail(`IO manager ${ioClass.cls.name} writes in place (not atomic)`, where(module, write));
      }
      return pass('IO manager writes atomically');
    },
  },
  {
    id: 'asset_key_prefix',
    level: 'FAIL',
    critical: false,
    looksFor: 'every @asset / @multi_asset carries the module\'s key prefix (key_prefix, key, or load_assets_from_modules(key_prefix=...))',
    recommendation: 'Give every asset the module\'s key prefix (key_prefix=["<prefix>"]) so asset keys never collide across code locations; moving keys strands their history, so plan the migration',
    fixable: false,
    check(module, code) {
      if (code.assets.length === 0) return skip('No @asset definitions found');
      const unprefixed = code.assets.filter((asset) => asset.prefix !== module.snake);
      if (unprefixed.length === 0) return pass(`Every asset has the key prefix ${module.snake}/ (${code.assets.length})`);
      const names = unprefixed.map((asset) => asset.name).join(', ');
      return fail(`${unprefixed.length} of ${code.assets.length} assets lack the key prefix ${module.snake}/: ${names}`, where(module, unprefixed[0]!));
    },
  },
  {
    id: 'workspace_integration',
    level: 'FAIL',
    critical: false,
    looksFor: 'the module has workspace/local/',
    recommendation: 'Generate workspace integration configs',
    fixable: true,
    check(module) {
      return module.exists('workspace/local') ? pass('Has workspace integration configs') : fail('No workspace integration configs (workspace/local/)');
    },
  },
  ...WORKSPACE_FILES.map(
    ({ id, file, what }): AuditRule => ({
      id,
      level: 'FAIL',
      critical: false,
      looksFor: `workspace/local/${file} exists (${what})`,
      recommendation: `Generate workspace/local/${file}`,
      fixable: true,
      check(module) {
        if (!module.exists('workspace/local')) return skip('No workspace/local/');
        return module.exists(`workspace/local/${file}`) ? pass(`Has workspace/local/${file}`) : fail(`No workspace/local/${file}`);
      },
    }),
  ),
  {
    id: 'deployment_config',
    level: 'FAIL',
    critical: false,
    looksFor: 'at least one deploy/<name>/deployment.yaml',
    recommendation: 'Configure at least one deployment (dmb configure-deployment)',
    fixable: true,
    check(module) {
      const count = module.deployments.length;
      return count > 0 ? pass(`Has deployment configs (${module.deployments.join(', ')})`) : fail('No deployment configs (deploy/<name>/deployment.yaml)');
    },
  },
  {
    id: 'deployment_staging',
    level: 'WARN',
    critical: false,
    looksFor: 'more than one deployment (a staging one beside production)',
    recommendation: 'Add deployment config for staging environment',
    fixable: false,
    check(module) {
      const count = module.deployments.length;
      if (count === 0) return skip('No deployments');
      return count > 1 ? pass(`${count} deployments configured`) : fail('Only 1 deployment configured (consider staging)');
    },
  },
  {
    id: 'env_documented',
    level: 'FAIL',
    critical: false,
    looksFor: 'every environment variable the code reads (os.environ, os.getenv, EnvVar) is named in README.md or .env.example',
    recommendation: 'Document every environment variable the code reads in .env.example (and README.md)',
    fixable: false,
    check(module, code) {
      if (code.envReads.length === 0) return pass('All env vars documented (the code reads none)');
      const documented = (name: string) => [module.readme, module.envExample].some((text) => text !== undefined && new RegExp(`(^|[^A-Za-z0-9_])${name}([^A-Za-z0-9_]|$)`, 'm').test(text));
      const missing = [...new Map(code.envReads.filter((read) => !documented(read.name)).map((read) => [read.name, read])).values()];
      const names = [...new Set(code.envReads.map((read) => read.name))];
      if (missing.length === 0) return pass(`All env vars documented (${names.length})`);
      return fail(`${missing.length} of ${names.length} env vars undocumented: ${missing.map((read) => read.name).join(', ')}`, where(module, missing[0]!));
    },
  },
  {
    id: 'env_not_tracked',
    level: 'FAIL',
    critical: true,
    looksFor: 'git tracks no .env or .env.deploy file of the module',
    recommendation: 'Stop tracking secrets: git rm --cached <file>, add it to .gitignore, and rotate the credentials it held',
    fixable: false,
    check(module) {
      if (module.trackedEnvFiles === undefined) return pass('No .env files tracked by git (not a git work tree)');
      const [first] = module.trackedEnvFiles;
      return first ? fail(`git tracks ${module.trackedEnvFiles.join(', ')}`, { file: first }) : pass('No .env files tracked by git');
    },
  },
  {
    id: 'env_file_mode',
    level: 'FAIL',
    critical: true,
    looksFor: '.env files holding secrets (PASSWORD, SECRET, TOKEN, *_KEY) are mode 0600',
    recommendation: 'Make secret-holding .env files readable by their owner only: chmod 600 <file>',
    fixable: false,
    check(module) {
      const holding = module.envFiles.filter((file) => file.secretKeys.length > 0);
      if (holding.length === 0) return pass('No .env file holds secrets');
      const open = holding.filter((file) => file.mode !== undefined && (file.mode & 0o077) !== 0);
      if (open.length === 0) return pass(`Secret-holding .env files are mode 0600 (${holding.length})`);
      const mode = (file: (typeof open)[number]) => (file.mode ?? 0).toString(8).padStart(4, '0');
      const others = open.slice(1).map((file) => `, also ${file.path} (${mode(file)})`).join('');
      return fail(`.env with secrets is readable by others (mode ${mode(open[0]!)})${others}`, { file: open[0]!.path });
    },
  },
  {
    id: 'integrated',
    level: 'WARN',
    critical: false,
    looksFor: 'the module is in services/dagster/.registry and its workspace/local/ has not changed since (not drifted)',
    recommendation: 'Integrate the module: dmb workspace add <module> (or dmb workspace sync when drifted)',
    fixable: false,
    check(module) {
      switch (module.integration) {
        case 'ok':
          return pass('Integrated into the workspace');
        case 'drifted':
          return fail('Drifted: workspace/local/ changed since it was merged (dmb workspace sync)');
        case 'missing':
          return fail('The registry lists the module but its folder is missing');
        case 'not-integrated':
          return fail(`Not integrated into the workspace (dmb workspace add ${module.folder})`);
        default:
          return fail('Not integrated: the workspace has no shared service (dmb init, then dmb workspace add)');
      }
    },
  },
  {
    id: 'port_collision',
    level: 'FAIL',
    critical: false,
    looksFor: 'the host ports workspace/local/docker-compose.yml publishes are published by no other module',
    recommendation: 'Give the module a free published port (workspace/local/.env), then dmb workspace sync',
    fixable: false,
    check(module) {
      const ports = module.workspace.modulePorts.get(module.folder) ?? [];
      if (ports.length === 0) return skip('Publishes no port');
      const clashes = ports.flatMap(({ port }) => {
        const others = [...(module.workspace.portOwners.get(port) ?? [])].filter((other) => other !== module.folder).sort();
        if (others.length === 0) return [];
        const named = others.length > 3 ? `${others.slice(0, 3).join(', ')} and ${others.length - 3} more` : others.join(', ');
        return [`${port} (also ${named})`];
      });
      return clashes.length === 0 ? pass(`Published ports are its own (${ports.map((p) => p.port).join(', ')})`) : fail(`Published port collides: ${clashes.join(', ')}`, { file: 'workspace/local/docker-compose.yml' });
    },
  },
  {
    id: 'governance_schedule',
    level: 'WARN',
    critical: false,
    looksFor: 'standard and enterprise governance: a schedule (ScheduleDefinition, @schedule)',
    recommendation: 'Consider adding scheduled jobs for Standard governance',
    fixable: false,
    check(module, code) {
      if (module.governance.level === 'quick') return skip('Quick governance expects no schedule');
      const at = code.signals.schedule;
      return at ? pass(`Has a schedule (${module.governance.level} governance)`, where(module, at)) : fail(`No schedule (expected for ${module.governance.level} governance)`);
    },
  },
  {
    id: 'governance_asset_checks',
    level: 'WARN',
    critical: false,
    looksFor: 'enterprise governance: asset checks (@asset_check, AssetCheckSpec)',
    recommendation: 'Add asset checks for Enterprise governance',
    fixable: false,
    check(module, code) {
      if (module.governance.level !== 'enterprise') return skip('Only enterprise governance expects asset checks');
      const at = code.signals.assetCheck;
      return at ? pass('Has asset checks (enterprise governance)', where(module, at)) : fail('No asset checks (expected for enterprise governance)');
    },
  },
  {
    id: 'governance_owners',
    level: 'WARN',
    critical: false,
    looksFor: 'enterprise governance: assets declare owners (owners=[...])',
    recommendation: 'Declare asset owners (owners=["team:..."]) for Enterprise governance',
    fixable: false,
    check(module, code) {
      if (module.governance.level !== 'enterprise') return skip('Only enterprise governance expects owners');
      const at = code.signals.owners;
      return at ? pass('Assets declare owners (enterprise governance)', where(module, at)) : fail('No asset owners (expected for enterprise governance)');
    },
  },
];
