import { join } from 'node:path';
import type { FileSystem } from '../../io/effects.js';
import { ChangeSet } from '../plan/changes.js';
import { renderSet } from '../templates/template-sets.js';
import type { NewModuleAnswers, NewModuleEnvironment } from './answers.js';
import { moduleFeatures, moduleTemplateSets, moduleVariables } from './variables.js';

export function projectDir(workspace: string, slug: string): string {
  return join(workspace, 'projects', slug);
}

/** Renders every template set of the module into a change set; nothing is written here. */
export async function planModule(
  fs: FileSystem,
  workspace: string,
  answers: NewModuleAnswers,
  environment: NewModuleEnvironment,
): Promise<ChangeSet> {
  const variables = moduleVariables(answers, environment);
  const features = moduleFeatures(answers);
  const target = projectDir(workspace, answers.names.slug);
  const changes = new ChangeSet(fs);
  for (const set of moduleTemplateSets(answers)) {
    for (const file of await renderSet(fs, workspace, set, variables, features)) {
      await changes.write(join(target, file.path), file.content, `render ${file.source}`, file.mode);
    }
  }
  return changes;
}
