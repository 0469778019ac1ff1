import type { RuleName } from './input-rules.js';

/** The answers every strategy shares, as the command collects them. */
export type StrategyId = 'git' | 'rsync' | 'docker' | 'ci-cd' | 'kubernetes';

/**
 * One strategy-specific question: its flag, its default (computed from what is already known) and the
 * rule that checks its answer. `list` answers come from a repeatable flag; `boolean` from yes/no.
 */
export interface StrategyQuestion {
  key: string;
  flag: string;
  /** The commander option name (camelCase of the flag). */
  option: string;
  message: string;
  kind: 'text' | 'choice' | 'boolean' | 'list';
  choices?: string[];
  default?: (known: { slug: string; name: string }) => string | undefined;
  rule?: RuleName;
}

export interface Strategy {
  id: StrategyId;
  label: string;
  summary: string;
  questions: StrategyQuestion[];
  /** Template sets under templates/, rendered into the module in order (a team's copy wins, per set). */
  templateSets: string[];
  /** A folder in a set whose sub-folders are alternatives, chosen by the answer named here (e.g. the CI platform). */
  variant?: { folder: string; answer: string };
  /** Where the module's code runs on the target: in the host's shared Dagster image, or as its own gRPC code server. */
  runs: 'shared-service' | 'code-server';
  /** Whether the strategy reaches a server over ssh (host, user, port, base path); Kubernetes goes through kubectl. */
  remote: boolean;
}

/** rsync never uploads these: secrets, local state, caches (deploy adds the user's own patterns). */
export const RSYNC_ALWAYS_EXCLUDED = ['.env', '.env.deploy', '.env.*.local', '.venv/', 'venv/', '__pycache__/', '*.pyc', 'data/', '.git/', '.pytest_cache/', '.ruff_cache/', '.dagster/', 'dagster_home/', '*.pickle'];

/** The port a module's gRPC code server listens on (Dagster's official examples use 4000). */
export const CODE_SERVER_PORT = 4000;

const COMMON_SETS = ['deploy-strategies/common'];

export const STRATEGIES: Record<StrategyId, Strategy> = {
  git: {
    id: 'git',
    label: 'git',
    summary: 'the server pulls the module from a git repository; the shared Dagster service on the server loads it',
    questions: [
      { key: 'repository', flag: '--repository', option: 'repository', message: 'Git repository URL', kind: 'text', rule: 'repository' },
      { key: 'branch', flag: '--branch', option: 'branch', message: 'Branch to deploy', kind: 'text', default: () => 'main', rule: 'branch' },
      { key: 'monorepo', flag: '--monorepo', option: 'monorepo', message: 'Is the module one folder of a larger repository (monorepo)?', kind: 'boolean', choices: ['yes', 'no'], default: () => 'no' },
    ],
    templateSets: [...COMMON_SETS, 'deploy-strategies/git'],
    runs: 'shared-service',
    remote: true,
  },
  rsync: {
    id: 'rsync',
    label: 'rsync',
    summary: 'this machine uploads the module over ssh into a new release folder on the server',
    questions: [{ key: 'exclude', flag: '--exclude', option: 'exclude', message: 'Additional rsync exclusions (comma-separated)', kind: 'list', default: () => '', rule: 'exclude' }],
    templateSets: [...COMMON_SETS, 'deploy-strategies/rsync'],
    runs: 'shared-service',
    remote: true,
  },
  docker: {
    id: 'docker',
    label: 'docker',
    summary: "the module's own image (a gRPC code server) is pushed to a registry and run by compose on the server",
    questions: [
      { key: 'registry', flag: '--registry', option: 'registry', message: 'Container registry (e.g. ghcr.io/acme)', kind: 'text', rule: 'registry' },
      { key: 'image', flag: '--image', option: 'image', message: 'Image name', kind: 'text', default: ({ slug }) => slug, rule: 'image' },
      { key: 'context', flag: '--context', option: 'context', message: 'Build context (relative to the module folder)', kind: 'text', default: () => '.', rule: 'context' },
    ],
    templateSets: [...COMMON_SETS, 'deploy-strategies/code-server', 'deploy-strategies/docker'],
    runs: 'code-server',
    remote: true,
  },
  'ci-cd': {
    id: 'ci-cd',
    label: 'ci-cd',
    summary: "a pipeline on the team's CI platform tests the module and deploys it over ssh",
    questions: [
      { key: 'platform', flag: '--platform', option: 'platform', message: 'CI platform', kind: 'choice', choices: ['github', 'gitlab', 'jenkins'], default: () => 'github' },
      { key: 'trigger', flag: '--trigger', option: 'trigger', message: 'Deploy on', kind: 'choice', choices: ['push', 'tag', 'manual'], default: () => 'push' },
      { key: 'branch', flag: '--branch', option: 'branch', message: 'Branch that deploys (push trigger)', kind: 'text', default: () => 'main', rule: 'branch' },
    ],
    templateSets: [...COMMON_SETS, 'deploy-strategies/ci-cd'],
    variant: { folder: 'platforms', answer: 'platform' },
    runs: 'shared-service',
    remote: true,
  },
  kubernetes: {
    id: 'kubernetes',
    label: 'kubernetes',
    summary: "the module's gRPC code server runs in a Kubernetes cluster; a central Dagster points at it",
    questions: [
      { key: 'namespace', flag: '--namespace', option: 'namespace', message: 'Kubernetes namespace', kind: 'text', default: () => 'dagster', rule: 'namespace' },
      { key: 'registry', flag: '--registry', option: 'registry', message: 'Container registry (e.g. ghcr.io/acme)', kind: 'text', rule: 'registry' },
      { key: 'image', flag: '--image', option: 'image', message: 'Image name', kind: 'text', default: ({ slug }) => slug, rule: 'image' },
    ],
    templateSets: [...COMMON_SETS, 'deploy-strategies/code-server', 'deploy-strategies/kubernetes'],
    runs: 'code-server',
    remote: false,
  },
};

export const STRATEGY_IDS = Object.keys(STRATEGIES) as StrategyId[];

export function isStrategyId(value: string): value is StrategyId {
  return value in STRATEGIES;
}
