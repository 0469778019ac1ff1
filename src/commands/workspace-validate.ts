import type { Context } from '../ui/context.js';
import { paint } from '../ui/paint.js';
import { EXIT, type ExitCode } from '../errors.js';
import { dagsterBinary, loadCodeLocations, type LoadResult } from '../workspace/load-check.js';
import { shownPath, workspacePaths } from '../workspace/paths.js';
import { flagOption, type CommandInput } from './options.js';
import { hostWorkingDirectory } from '../workspace/host-view.js';
import { formatProblem, validateWorkspace } from '../workspace/validate/validate-workspace.js';

export interface ValidateOptions {
  /** Also load every code location in real Dagster. */
  load: boolean;
}

export function parse(input: CommandInput): ValidateOptions {
  return { load: flagOption(input, 'load') };
}

/** dmb workspace validate [--load]: one line per problem with its fix; exit 1 on any. */
export async function run(ctx: Context, options: ValidateOptions): Promise<ExitCode> {
  const paths = workspacePaths(ctx.workspace);
  const result = await validateWorkspace(ctx.effects, paths);
  const problems = [...result.problems];
  let load: LoadResult | undefined;
  if (options.load) {
    if (result.text.workspaceYaml === undefined || problems.some((p) => p.file?.endsWith('workspace.yaml') && /invalid YAML/.test(p.message))) {
      problems.push({ message: 'code locations were not loaded: workspace.yaml is missing or invalid.', fix: 'Fix the problems above, then run "dmb workspace validate --load" again.' });
    } else if (result.locations.length > 0) {
      ctx.print(`Loading ${result.locations.length} code location(s) in Dagster (${dagsterBinary(ctx.effects.env)})...`);
      load = await loadCodeLocations(ctx.effects, paths, {
        registry: result.registry,
        workspaceYaml: result.text.workspaceYaml,
        env: result.text.env ?? '',
        locations: result.locations.map((l) => l.locationName),
      }, ctx.signal);
      if (load.notStarted) problems.push({ message: load.notStarted.message, fix: load.notStarted.fix ?? '' });
      for (const location of load.locations) {
        if (!location.ok) {
          const entry = result.locations.find((l) => l.locationName === location.location);
          const dir = hostWorkingDirectory(paths, entry?.workingDirectory);
          const alone = entry?.packageName && dir ? `${dagsterBinary(ctx.effects.env)} definitions validate -m ${entry.packageName} -d ${dir}` : load.command;
          problems.push({
            file: shownPath(paths, paths.workspaceYaml),
            line: entry?.line,
            message: `code location "${location.location}" does not load in Dagster: ${location.detail}.`,
            fix: `See the whole error with "${alone}", fix the module, then validate again.`,
          });
        }
      }
    }
  }

  if (ctx.json) {
    ctx.printJson({
      ok: problems.length === 0,
      modules: result.registry.integrated_modules.map((e) => e.name),
      code_locations: result.locations.map((l) => l.locationName),
      problems,
      warnings: result.warnings,
      load: load ? { command: load.command, locations: load.locations } : null,
    });
  }
  for (const location of load?.locations ?? []) {
    if (location.ok) ctx.print(`${paint.green('✓')} code location ${location.location} loads in Dagster`);
  }
  for (const warning of result.warnings) ctx.warn(`${paint.yellow('!')} ${formatProblem(warning)}`);
  for (const problem of problems) ctx.print(`${paint.red('✗')} ${formatProblem(problem)}`);
  if (problems.length > 0) {
    ctx.print(`${problems.length} problem${problems.length === 1 ? '' : 's'} found.`);
    return EXIT.failed;
  }
  const modules = result.registry.integrated_modules.length;
  ctx.print(
    `${paint.green('✓')} Workspace is consistent: ${modules} module${modules === 1 ? '' : 's'}, ${result.locations.length} code location${result.locations.length === 1 ? '' : 's'}, docker-compose.yml conforms to the compose specification.`,
  );
  return EXIT.ok;
}
