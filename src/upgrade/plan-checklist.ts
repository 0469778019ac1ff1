import { join } from 'node:path';
import type { CodeFacts } from '../audit/code-facts.js';
import type { AuditModule } from '../audit/module-model.js';
import type { FileSystem } from '../effects/effects.js';
import { deriveNames } from '../module/naming.js';
import type { ChangeSet } from '../transaction/changes.js';
import { renderSet } from '../templates/template-sets.js';

/** The template set only upgrade renders: deploy/CHECKLIST.md, for a module that has none. */
const SET = 'deploy-checklist';

export async function planChecklist(fs: FileSystem, workspace: string, module: AuditModule, code: CodeFacts, changes: ChangeSet, step: string): Promise<string[]> {
  const names = deriveNames(module.folder);
  const envNames = [...new Set(['DAGSTER_STORAGE_PATH', ...code.envReads.map((read) => read.name)])].sort();
  const variables = {
    MODULE_TITLE: names.title,
    MODULE_SLUG: module.folder,
    MODULE_NAME: module.snake,
    ENV_VARS: envNames.map((name) => `- [ ] \`${name}\` is set on the server`).join('\n'),
  };
  const created: string[] = [];
  for (const file of await renderSet(fs, workspace, SET, variables, new Set())) {
    const target = join(module.dir, file.path);
    if (await changes.exists(target)) continue;
    await changes.write(target, file.content, step, file.mode);
    created.push(file.path);
  }
  return created;
}
