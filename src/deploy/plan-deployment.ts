import { join, relative } from 'node:path';
import type { FileSystem } from '../effects/effects.js';
import { operationError } from '../errors.js';
import { renderContent, renderPath } from '../templates/render.js';
import { filesMissingFromCustomSet, resolveSetDir, workspaceTemplatesDir } from '../templates/template-sets.js';
import { ChangeSet } from '../transaction/changes.js';
import type { DeploymentAnswers } from './answers.js';
import { deploymentProblems, type DeploymentConfig } from './deployment-schema.js';
import type { DetectedModule } from './detect.js';
import { envExampleLines, planEnvDeploy } from './env-deploy.js';
import { addEnvDeployPattern, gitignoreCoversEnvDeploy } from './gitignore.js';
import { addGitlabInclude, removeGitlabInclude } from './gitlab-include.js';
import { deploymentDir, DEPLOYMENT_FILES } from './paths.js';
import { STRATEGIES, type StrategyId } from './strategies.js';
import { deploymentFeatures, deploymentVariables } from './variables.js';

export interface DeploymentPlan {
  changes: ChangeSet;
  /** The effective configuration, as deployment.yaml will say. */
  config: DeploymentConfig;
  /** deploy/<name>/ existed before: a re-run, which shows the diff and asks. */
  existing: boolean;
  envKept: string[];
  envAdded: string[];
  gitignoreFixed: boolean;
  warnings: string[];
}

interface TemplateEntry {
  path: string;
  source: string;
  absolute: string;
}

async function listSet(fs: FileSystem, dir: string, set: string): Promise<TemplateEntry[]> {
  const found: TemplateEntry[] = [];
  const walk = async (folder: string) => {
    for (const entry of (await fs.readdir(folder)).sort()) {
      const absolute = join(folder, entry);
      if (await fs.isDirectory(absolute)) await walk(absolute);
      else found.push({ path: relative(dir, absolute), source: `${set}/${relative(dir, absolute)}`, absolute });
    }
  };
  await walk(dir);
  return found;
}

/** Keeps a variant folder's files only for the chosen variant (e.g. platforms/github/), moved to the set's root. */
function selectVariant(entries: TemplateEntry[], folder: string | undefined, chosen: string | undefined): TemplateEntry[] {
  if (!folder) return entries;
  return entries.flatMap((entry) => {
    const parts = entry.path.split('/');
    if (parts[0] !== folder) return [entry];
    return parts[1] === chosen ? [{ ...entry, path: parts.slice(2).join('/') }] : [];
  });
}

/** Every template file a strategy renders (for one variant), from the team's copy or the built-in sets. */
async function strategyEntries(fs: FileSystem, workspace: string, id: StrategyId, variant: string | undefined, sets = STRATEGIES[id].templateSets): Promise<TemplateEntry[]> {
  const entries: TemplateEntry[] = [];
  for (const set of sets) {
    const setDir = await resolveSetDir(fs, workspace, set);
    entries.push(...selectVariant(await listSet(fs, setDir, set), STRATEGIES[id].variant?.folder, variant));
  }
  return entries;
}

/** The strategy (and CI platform) of the deployment.yaml already there, read leniently: it is about to be replaced. */
async function readPrevious(fs: FileSystem, path: string): Promise<{ strategy: StrategyId; variant?: string } | undefined> {
  if (!(await fs.exists(path))) return undefined;
  const { parse } = await import('yaml');
  try {
    const deployment = (parse((await fs.readFile(path)).toString('utf8')) as { deployment?: { strategy?: string; ci_cd?: { platform?: string } } })?.deployment;
    if (!deployment?.strategy || !(deployment.strategy in STRATEGIES)) return undefined;
    const strategy = deployment.strategy as StrategyId;
    return { strategy, variant: STRATEGIES[strategy].variant ? deployment.ci_cd?.platform : undefined };
  } catch {
    return undefined;
  }
}

/** Renders the strategy's template sets into a change set over the module; nothing is written here. */
export async function planDeployment(
  fs: FileSystem,
  workspace: string,
  module: DetectedModule,
  answers: DeploymentAnswers,
  randomBytes: (size: number) => Buffer,
): Promise<DeploymentPlan> {
  const strategy = STRATEGIES[answers.strategy];
  const variables = { ...deploymentVariables(answers, module), ENV_EXAMPLE: envExampleLines(module) };
  const features = deploymentFeatures(answers, module);
  const changes = new ChangeSet(fs);
  const warnings: string[] = [];
  const dir = deploymentDir(module.dir, answers.name);
  const existing = await fs.isDirectory(dir);
  const variant = strategy.variant ? (answers.options as Record<string, string | undefined>)[strategy.variant.answer] : undefined;

  const previous = existing ? await readPrevious(fs, join(dir, DEPLOYMENT_FILES.config)) : undefined;
  const rendered = new Set<string>();
  for (const set of strategy.templateSets) {
    const missing = await filesMissingFromCustomSet(fs, workspace, set);
    if (missing.length > 0) {
      warnings.push(`${join(workspaceTemplatesDir(workspace), set)} lacks ${missing.join(', ')} (dmb's built-in set has them): rendered without.`);
    }
    for (const entry of await strategyEntries(fs, workspace, answers.strategy, variant, [set])) {
      const raw = (await fs.readFile(entry.absolute)).toString('utf8');
      const content = entry.path.endsWith('.template') ? renderContent(raw, variables, features, entry.source) : raw;
      const target = join(module.dir, renderPath(entry.path, variables));
      rendered.add(target);
      const mode = await fs.mode(entry.absolute);
      if (relative(module.dir, target) === '.gitlab-ci.yml') {
        // Several deployments share the module's .gitlab-ci.yml: add this one's include, keep the rest.
        const current = await changes.read(target);
        await changes.write(target, current === undefined ? content : addGitlabInclude(current, `deploy/${answers.name}/gitlab-ci.yml`, target), `render ${entry.source}`);
        continue;
      }
      await changes.write(target, content, `render ${entry.source}`, mode !== undefined && mode & 0o111 ? 0o755 : undefined);
    }
  }

  // A re-run that changes the strategy or the CI platform removes what the previous one generated for this
  // deployment (a workflow left behind would keep deploying); files the user added are not touched.
  if (previous && (previous.strategy !== answers.strategy || previous.variant !== variant)) {
    for (const entry of await strategyEntries(fs, workspace, previous.strategy, previous.variant)) {
      const target = join(module.dir, renderPath(entry.path, variables));
      if (rendered.has(target) || target.endsWith(`/${DEPLOYMENT_FILES.env}`)) continue;
      if (relative(module.dir, target) === '.gitlab-ci.yml') {
        const current = await changes.read(target);
        if (current !== undefined) await changes.write(target, removeGitlabInclude(current, `deploy/${answers.name}/gitlab-ci.yml`), `remove deploy/${answers.name}'s include`);
        continue;
      }
      if (await changes.exists(target)) await changes.delete(target, `remove ${relative(module.dir, target)} (${previous.strategy} strategy)`);
    }
  }

  // deployment.yaml must round-trip through the schema: a team's template that renders an invalid file is refused.
  const configPath = join(dir, DEPLOYMENT_FILES.config);
  const configText = await changes.read(configPath);
  if (configText === undefined) {
    throw operationError(`The ${answers.strategy} templates rendered no deploy/${answers.name}/deployment.yaml.`, `Put deployment.yaml.template back into the deploy-strategies/${answers.strategy}/ templates (dmb init restores missing ones).`);
  }
  const { parse } = await import('yaml');
  const data = parse(configText) as { deployment: DeploymentConfig };
  const problems = await deploymentProblems(data);
  if (problems.length > 0) {
    throw operationError(
      `The ${answers.strategy} template rendered an invalid deployment.yaml:\n  ${problems.join('\n  ')}`,
      `Fix deploy-strategies/${answers.strategy}/deploy/__DEPLOY_NAME__/deployment.yaml.template in ${workspaceTemplatesDir(workspace)} (or delete it there to use dmb's own).`,
    );
  }

  const envPath = join(dir, DEPLOYMENT_FILES.env);
  const heading =
    `# ${module.names.title}: deployment "${answers.name}" for ${answers.client}. Generated by dmb: secrets are letters and digits.\n` +
    '# NEVER commit this file (the module\'s .gitignore keeps it out of git). On the server it becomes shared/.env (mode 0600).';
  const envBefore = await changes.read(envPath);
  const env = planEnvDeploy(module, heading, envBefore, randomBytes);
  // Written (created or appended to) with mode 0600 whatever the mode was.
  await changes.write(envPath, env.content, `write deploy/${answers.name}/.env.deploy`, 0o600);
  const envMode = await fs.mode(envPath);
  if (env.content === envBefore && envMode !== undefined && (envMode & 0o077) !== 0) {
    warnings.push(`deploy/${answers.name}/.env.deploy is readable by others (mode ${(envMode & 0o777).toString(8)}); run: chmod 600 ${envPath}`);
  }

  const gitignorePath = join(module.dir, '.gitignore');
  const gitignore = await changes.read(gitignorePath);
  const gitignoreFixed = !gitignoreCoversEnvDeploy(gitignore ?? '', answers.name);
  if (gitignoreFixed) await changes.write(gitignorePath, addEnvDeployPattern(gitignore), 'add deploy/*/.env.deploy to .gitignore');

  return { changes, config: data.deployment, existing, envKept: env.kept, envAdded: env.added, gitignoreFixed, warnings };
}
