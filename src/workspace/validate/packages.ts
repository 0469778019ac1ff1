import { join } from 'node:path';
import type { CodeLocation } from '../../formats/workspace-yaml.js';
import { hostWorkingDirectory } from '../host-view.js';
import { shownPath } from '../paths.js';
import type { Check, Found } from './finding.js';
import type { WorkspaceView } from './workspace-view.js';

/** Each code location's package where workspace.yaml says (on this host). */
export const PACKAGE_CHECKS: ReadonlyArray<Check<WorkspaceView>> = [
  {
    id: 'module-package',
    async run(view) {
      const found: Found[] = [];
      for (const location of view.locations) {
        const missing = await findMissingPackage(view, location);
        if (missing) {
          found.push({
            file: view.shown.workspaceYaml,
            line: location.line,
            message: `code location "${location.locationName}": ${missing}.`,
            fix: 'Fix working_directory / package_name, or create the package (dmb new generates src/<module>_dagster/).',
          });
        }
      }
      return found;
    },
  },
];

async function findMissingPackage({ effects, paths }: WorkspaceView, location: CodeLocation): Promise<string | undefined> {
  const dir = hostWorkingDirectory(paths, location.workingDirectory);
  if (!dir) return undefined; // a path only the container has: nothing to check on this host
  const fs = effects.fs;
  const shownDir = shownPath(paths, dir);
  if (!(await fs.isDirectory(dir))) return `working_directory ${location.workingDirectory} (${shownDir} on this host) does not exist`;
  const dotted = location.packageName ?? location.moduleName;
  if (dotted) {
    const base = join(dir, ...dotted.split('.'));
    if ((await fs.exists(join(base, '__init__.py'))) || (await fs.exists(`${base}.py`))) return undefined;
    return `${location.packageName ? 'package' : 'module'} ${dotted} not found in ${shownDir}`;
  }
  if (location.pythonFile && !(await fs.exists(join(dir, location.pythonFile)))) return `python file ${location.pythonFile} not found in ${shownDir}`;
  return undefined;
}
