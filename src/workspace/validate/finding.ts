/**
 * What every check returns: the shape `workspace validate` prints and the coming audit rules share.
 * A check is a plain function over what was read; the runner (validate-workspace.ts) walks the table.
 */
export interface Finding {
  /** The id of the check that found it (stable: tests and --json consumers may filter on it). */
  check: string;
  level: 'error' | 'warning';
  file?: string;
  /** 1-based. */
  line?: number;
  message: string;
  fix?: string;
}

/** A finding as a check writes it: the runner adds the check id, and `error` unless it says `warning`. */
export type Found = Omit<Finding, 'check' | 'level'> & Partial<Pick<Finding, 'check' | 'level'>>;

export interface Check<View> {
  id: string;
  run(view: View): Found[] | Promise<Found[]>;
}

/** Runs every check in table order, never stopping at the first finding. */
export async function runChecks<View>(checks: ReadonlyArray<Check<View>>, view: View): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const check of checks) {
    for (const found of await check.run(view)) findings.push({ ...found, check: found.check ?? check.id, level: found.level ?? 'error' });
  }
  return findings;
}

/** One thing wrong, where, and how to fix it, as `workspace validate` prints it (text and --json). */
export interface Problem {
  file?: string;
  line?: number;
  message: string;
  fix: string;
}

export function toProblem(finding: Finding): Problem {
  return { file: finding.file, line: finding.line, message: finding.message, fix: finding.fix ?? '' };
}

/** "file:line: message Fix: ..." / "message Fix: ...": one printed line per problem. */
export function formatProblem(problem: Problem): string {
  const where = problem.file ? `${problem.file}${problem.line ? `:${problem.line}` : ''}: ` : '';
  return `${where}${problem.message} Fix: ${problem.fix}`;
}
