import type { StrategyId } from './strategies.js';

/** Everything configure-deployment needs to know once every question is answered. */
export interface DeploymentAnswers {
  name: string;
  client: string;
  environment: string;
  strategy: StrategyId;
  /** Absent for strategies that reach no server over ssh (kubernetes). */
  remote?: { host: string; user: string; port: number; basePath: string };
  /** The strategy's own answers, keyed as in the strategies table. */
  options: StrategyAnswers;
}

export interface StrategyAnswers {
  repository?: string;
  branch?: string;
  monorepo?: boolean;
  exclude?: string[];
  registry?: string;
  image?: string;
  context?: string;
  platform?: 'github' | 'gitlab' | 'jenkins';
  trigger?: 'push' | 'tag' | 'manual';
  namespace?: string;
}

/** The environment a deployment name suggests: staging for "staging", production for "yoda". */
export function defaultEnvironment(name: string): string {
  const table: Array<[RegExp, string]> = [
    [/(^|[-_])(stag|staging|stage)([-_]|$)/, 'staging'],
    [/(^|[-_])(dev|development)([-_]|$)/, 'development'],
    [/(^|[-_])(test|testing|qa|uat)([-_]|$)/, 'test'],
    [/(^|[-_])(preview|demo)([-_]|$)/, 'preview'],
  ];
  return table.find(([pattern]) => pattern.test(name))?.[1] ?? 'production';
}
