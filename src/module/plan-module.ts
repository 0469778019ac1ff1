import { join, relative } from 'node:path';
import type { FileSystem } from '../effects/effects.js';
import { holdsSecrets, secretFileMode } from '../secrets/secret-files.js';
import { ChangeSet } from '../transaction/changes.js';
import { describeSet, filesMissingFromCustomSet, renderSet, workspaceTemplatesDir } from '../templates/template-sets.js';
import { VERSION } from '../version.js';
import { MERGE_BASE_DIR, RECORD_FILE, renderModuleRecord, sha256Hex, type ModuleRecord } from './record.js';
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
): Promise<{ changes: ChangeSet; warnings: string[]; record: ModuleRecord }> {
  const variables = moduleVariables(answers, environment);
  const features = moduleFeatures(answers);
  const target = projectDir(workspace, answers.names.slug);
  const changes = new ChangeSet(fs);
  const warnings: string[] = [];
  const sets = moduleTemplateSets(answers);
  for (const set of sets) {
    const missing = await filesMissingFromCustomSet(fs, workspace, set);
    if (missing.length > 0) {
      warnings.push(
        `${join(workspaceTemplatesDir(workspace), set)} lacks ${missing.join(', ')} (dmb's built-in set has ${missing.length > 1 ? 'them' : 'it'}): ` +
          'the module is rendered without. Copy them from dmb\'s templates/ if the team did not remove them on purpose.',
      );
    }
    for (const file of await renderSet(fs, workspace, set, variables, features)) {
      // A .env holds the module's database password: owner-only, like the shared service's .env.
      const mode = secretFileMode(file.path) ?? file.mode;
      await changes.write(join(target, file.path), file.content, `render ${file.source}`, mode);
    }
  }
  const record = await planRecord(fs, workspace, answers, sets, changes, environment.password);
  return { changes, warnings, record };
}

/**
 * Adds the module's record (.dmb-answers.yml) and the merge base (.dmb/base/) for every file rendered
 * so far. A file that holds a secret (the generated password, or any non-example .env) is recorded by hash only.
 */
async function planRecord(
  fs: FileSystem,
  workspace: string,
  answers: NewModuleAnswers,
  sets: string[],
  changes: ChangeSet,
  password: string | undefined,
): Promise<ModuleRecord> {
  const target = projectDir(workspace, answers.names.slug);
  const generated = changes
    .list()
    .flatMap((change) => (change.kind === 'create' ? [{ path: relative(target, change.path), content: change.content }] : []))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const record: ModuleRecord = {
    dmbVersion: VERSION,
    module: answers.names.slug,
    package: answers.names.packageName,
    answers: {
      database: answers.database,
      requirements: answers.requirements,
      governance: answers.governance,
      description: answers.description,
      owner: answers.owner,
    },
    templates: await Promise.all(sets.map((set) => describeSet(fs, workspace, set))),
    files: Object.fromEntries(generated.map((file) => [file.path, sha256Hex(file.content)])),
  };
  for (const file of generated) {
    if (holdsSecret(file.path, file.content, password)) continue;
    await changes.write(join(target, MERGE_BASE_DIR, file.path), file.content, 'keep the merge base for dmb upgrade');
  }
  await changes.write(join(target, RECORD_FILE), renderModuleRecord(record), 'record how the module was made');
  return record;
}

function holdsSecret(path: string, content: string, password: string | undefined): boolean {
  return (password !== undefined && password !== '' && content.includes(password)) || holdsSecrets(path);
}
