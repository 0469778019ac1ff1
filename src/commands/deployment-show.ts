import type { Context } from '../ui/context.js';
import { EXIT, usageError, type ExitCode } from '../errors.js';
import { detectModule } from '../deploy/detect.js';
import { effectiveConfiguration } from '../deploy/effective-config.js';
import { requireDeployment } from '../deploy/read-deployments.js';
import type { CommandInput } from './options.js';

export interface ShowOptions {
  module: string;
  name: string;
}

export function parse(input: CommandInput): ShowOptions {
  const [module, name] = input.args;
  if (!module || !name) throw usageError('Give the module and the deployment.', 'Run "dmb deployment show <module> <name>", e.g. "dmb deployment show sales-data yoda".');
  return { module, name };
}

/** dmb deployment show <module> <name>: the effective configuration, validated, secrets redacted. */
export async function run(ctx: Context, options: ShowOptions): Promise<ExitCode> {
  const { module: input, name } = options;
  const module = await detectModule(ctx.effects.fs, ctx.workspace, input);
  const deployment = await requireDeployment(ctx.effects.fs, module.dir, module.folder, name);
  if (!deployment.config) throw usageError(deployment.error ?? `deploy/${name}/deployment.yaml is not valid.`, `Fix deploy/${name}/deployment.yaml, or re-create it with "dmb configure-deployment ${module.folder} --name ${name}".`);
  const effective = effectiveConfiguration(deployment.config, deployment.env);
  if (ctx.json) {
    ctx.printJson({ module: module.folder, deployment: effective });
    return EXIT.ok;
  }
  const { stringify } = await import('yaml');
  ctx.print(`# ${module.folder} / ${name}: effective configuration (deploy/${name}/deployment.yaml, validated; .env.deploy values redacted)`);
  ctx.print(stringify({ deployment: effective }, { lineWidth: 0 }).trimEnd());
  if (!deployment.env.present) ctx.warn(`! deploy/${name}/.env.deploy is missing: run "dmb configure-deployment ${module.folder} --name ${name}" to generate it.`);
  return EXIT.ok;
}
