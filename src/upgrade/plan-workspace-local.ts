import { basename, join } from 'node:path';
import type { AuditModule } from '../audit/module-model.js';
import type { DatabaseChoice } from '../catalog/databases.js';
import type { FileSystem } from '../effects/effects.js';
import type { NewModuleAnswers } from '../module/answers.js';
import { deriveNames } from '../module/naming.js';
import { moduleFeatures, moduleVariables } from '../module/variables.js';
import type { ChangeSet } from '../transaction/changes.js';
import { renderSet } from '../templates/template-sets.js';

const SET = 'workspace-integration';

/**
 * The workspace/local/ files a module lacks, rendered as `dmb new` renders them. Existing files are never
 * touched. A module with a database is left to the user here: its .env and compose service need a free host
 * port and a new password, which upgrade does not hand out yet (a note says so).
 */
export async function planWorkspaceLocal(
  fs: FileSystem,
  workspace: string,
  module: AuditModule,
  changes: ChangeSet,
  step: string,
): Promise<{ created: string[]; notes: string[] }> {
  const database = (module.answers?.database ?? (module.database.type === 'postgresql' || module.database.type === 'mysql' ? module.database.type : 'none')) as DatabaseChoice;
  const names = { ...deriveNames(module.folder), snake: module.snake, packageName: module.pkg?.name ?? `${module.snake}_dagster` };
  names.upper = module.snake.toUpperCase();
  const answers: NewModuleAnswers = {
    names,
    description: '',
    database,
    requirements: [],
    governance: module.governance.level,
    integrate: 'no',
    deploy: 'no',
    owner: '',
  };
  const networkName = await readNetworkName(fs, workspace);
  const rendered = await renderSet(fs, workspace, SET, moduleVariables(answers, { networkName }), moduleFeatures(answers));
  const created: string[] = [];
  const notes: string[] = [];
  for (const file of rendered) {
    const target = join(module.dir, file.path);
    if (await changes.exists(target)) continue;
    const name = basename(file.path);
    if (database !== 'none' && (name === '.env' || name === 'docker-compose.yml')) {
      notes.push(`${file.path} is missing: this module has a ${database} database, whose port and password upgrade does not choose yet. Copy the file from a module made by "dmb new --db ${database}" and adapt it.`);
      continue;
    }
    await changes.write(target, file.content, step, name === '.env' ? 0o600 : file.mode);
    created.push(file.path);
  }
  return { created, notes };
}

async function readNetworkName(fs: FileSystem, workspace: string): Promise<string> {
  const envPath = join(workspace, 'services', 'dagster', '.env');
  if (!(await fs.exists(envPath))) return 'workspace-net';
  const match = /^NETWORK_NAME=["']?([A-Za-z0-9_.-]+)["']?\s*$/m.exec((await fs.readFile(envPath)).toString('utf8'));
  return match?.[1] ?? 'workspace-net';
}
