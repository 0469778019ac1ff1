import { parse } from 'yaml';

/** What `dmb new` recorded in `.dmb-answers.yml` at the module root (the parts audit uses). */
export interface RecordedAnswers {
  dmbVersion?: string;
  package?: string;
  governance?: 'quick' | 'standard' | 'enterprise';
  database?: 'postgresql' | 'mysql' | 'none';
}

export const ANSWERS_FILE = '.dmb-answers.yml';

/** Reads the record tolerantly: a field that is missing or unknown is left out, never guessed. */
export function readRecordedAnswers(text: string): RecordedAnswers | { error: string } {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    return { error: `not valid YAML (${((error as Error).message.split('\n')[0] ?? '').replace(/:$/, '')})` };
  }
  if (!data || typeof data !== 'object') return { error: 'not a YAML mapping' };
  const record = data as Record<string, unknown>;
  const answers = (record.answers ?? {}) as Record<string, unknown>;
  const pick = <T extends string>(value: unknown, allowed: readonly T[]): T | undefined => (allowed.includes(value as T) ? (value as T) : undefined);
  return {
    dmbVersion: typeof record.dmb_version === 'string' ? record.dmb_version : undefined,
    package: typeof record.package === 'string' ? record.package : undefined,
    governance: pick(answers.governance, ['quick', 'standard', 'enterprise'] as const),
    database: pick(answers.database, ['postgresql', 'mysql', 'none'] as const),
  };
}
