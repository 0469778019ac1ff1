import type { Context } from '../ui/context.js';
import { paint } from '../ui/paint.js';
import { EXIT, usageError, type ExitCode } from '../errors.js';
import { loadDeployment } from '../deploy/load-target.js';
import { readReleaseState } from '../deploy/remote-state.js';
import { parse } from './deploy.js';

export { parse };

/** dmb releases <module> <deployment>: the releases on the host, oldest first, current marked. */
export async function run(ctx: Context, args: string[], rawOptions: Record<string, unknown>): Promise<ExitCode> {
  const [input, name] = args;
  if (!input || !name) throw usageError('Give the module and the deployment.', 'Run "dmb releases <module> <deployment>", e.g. "dmb releases sales-data yoda".');
  const options = parse(rawOptions);
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
