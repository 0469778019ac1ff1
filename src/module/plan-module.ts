import { join } from 'node:path';
import type { FileSystem } from '../effects/effects.js';
import { ChangeSet } from '../transaction/changes.js';
import { filesMissingFromCustomSet, renderSet, workspaceTemplatesDir } from '../templates/template-sets.js';
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
): Promise<{ changes: ChangeSet; warnings: string[] }> {
  const variables = moduleVariables(answers, environment);
  const features = moduleFeatures(answers);
  const target = projectDir(workspace, answers.names.slug);
  const changes = new ChangeSet(fs);
  const warnings: string[] = [];
  for (const set of moduleTemplateSets(answers)) {
    const missing = await filesMissingFromCustomSet(fs, workspace, set);
    if (missing.length > 0) {
      warnings.push(
        `${join(workspaceTemplatesDir(workspace), set)} lacks ${missing.join(', ')} (dmb's built-in set has ${missing.length > 1 ? 'them' : 'it'}): ` +
          'the module is rendered without. Copy them from dmb\'s templates/ if the team did not remove them on purpose.',
      );
    }
    for (const file of await renderSet(fs, workspace, set, variables, features)) {
      await changes.write(join(target, file.path), file.content, `render ${file.source}`, file.mode);
    }
  }
  return { changes, warnings };
}
