import type { Context } from '../ui/context.js';
import { paint } from '../ui/paint.js';
import { EXIT, type ExitCode } from '../errors.js';
import { loadDeployment } from '../deploy/load-target.js';
import { readReleaseState } from '../deploy/remote-state.js';
import { parseTarget, type DeployOptions } from './deploy.js';
import type { CommandInput } from './options.js';

export function parse(input: CommandInput): DeployOptions {
  return parseTarget(input, 'releases');
}

/** dmb releases <module> <deployment>: the releases on the host, oldest first, current marked. */
export async function run(ctx: Context, options: DeployOptions): Promise<ExitCode> {
  const { module: input, deployment: name } = options;
  const { module, target } = await loadDeployment(ctx.effects.fs, ctx.workspace, input, name, { identity: options.identity, sshConfig: ctx.effects.env.DMB_SSH_CONFIG }, 'releases');
  const state = await readReleaseState(ctx.effects, target);
  if (ctx.json) {
    ctx.printJson({ module: module.folder, deployment: name, host: target.shown, path: target.modulePath, current: state.current ?? null, releases: state.releases.map((release) => ({ release, current: release === state.current })) });
    return EXIT.ok;
  }
  if (state.releases.length === 0) {
    ctx.print(`${module.folder}/${name} has no releases on ${target.shown} yet: run "dmb deploy ${module.folder} ${name}".`);
    return EXIT.ok;
  }
  ctx.print(paint.bold(`Releases of ${module.folder} on ${target.shown} (${target.modulePath}/releases), oldest first:`));
  for (const release of state.releases) ctx.print(release === state.current ? `${paint.green('*')} ${release}  (current)` : `  ${release}`);
  return EXIT.ok;
}
