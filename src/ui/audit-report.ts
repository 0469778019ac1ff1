import type { CheckResult, CheckStatus, ModuleAudit, OverallStatus } from '../audit/run-audit.js';
import { paint } from './paint.js';

/** The spec's symbols are content, not colour: they stay with --no-color and without a terminal. */
const LINE_PREFIX: Record<Exclude<CheckStatus, 'skip'>, string> = {
  pass: paint.green('✅ PASS:'),
  warn: paint.yellow('⚠️  WARN:'),
  fail: paint.red('❌ FAIL:'),
};

const STATUS_PAINT: Record<OverallStatus, (text: string) => string> = {
  GOOD: paint.green,
  'NEEDS ATTENTION': paint.yellow,
  CRITICAL: paint.red,
};

function checkLine(check: CheckResult): string {
  const location = check.status !== 'pass' && check.file ? ` (${check.file}${check.line ? `:${check.line}` : ''})` : '';
  return `${LINE_PREFIX[check.status as Exclude<CheckStatus, 'skip'>]} ${check.message}${location}`;
}

/** One module's audit in the spec's "Output Format". */
export function renderModuleAudit(audit: ModuleAudit): string[] {
  const header = `Audit Results for: ${audit.module}`;
  const lines = [paint.bold(header), '='.repeat(header.length), ''];
  const shown = audit.checks.filter((check) => check.status !== 'skip');
  lines.push(...shown.map(checkLine));
  const recommendations = [...new Set(shown.map((check) => check.recommendation).filter((text): text is string => text !== null))];
  if (recommendations.length > 0) lines.push('', 'Recommendations:', ...recommendations.map((text) => `- ${text}`));
  for (const note of audit.notes) lines.push('', `Note: ${note}`);
  lines.push('', `Overall Status: ${STATUS_PAINT[audit.status](audit.status)} (${audit.passed}/${audit.total} checks passed)`);
  if (shown.some((check) => check.status !== 'pass' && check.fixable)) lines.push('', `To fix issues, run: dmb upgrade ${audit.module}`);
  return lines;
}

/** `audit --all`: a table after the details. */
export function renderAuditSummary(audits: ModuleAudit[]): string[] {
  const rows = [['MODULE', 'PASSED', 'WARNED', 'FAILED', 'STATUS'], ...audits.map((a) => [a.module, `${a.passed}/${a.total}`, String(a.warned), String(a.failed), a.status])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row, index) => {
    const text = row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
    if (index === 0) return paint.bold(text);
    return text.replace(new RegExp(`${audits[index - 1]!.status}$`), STATUS_PAINT[audits[index - 1]!.status](audits[index - 1]!.status));
  });
  const count = (status: OverallStatus) => audits.filter((a) => a.status === status).length;
  lines.push('', `${audits.length} module${audits.length === 1 ? '' : 's'}: ${count('GOOD')} good, ${count('NEEDS ATTENTION')} need attention, ${count('CRITICAL')} critical`);
  return lines;
}

export function auditSummaryJson(audits: ModuleAudit[]): Record<string, number> {
  const count = (status: OverallStatus) => audits.filter((a) => a.status === status).length;
  return { modules: audits.length, good: count('GOOD'), needs_attention: count('NEEDS ATTENTION'), critical: count('CRITICAL') };
}
