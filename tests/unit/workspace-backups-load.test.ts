import { describe, expect, it } from 'vitest';
import { backupStamp, parseBackupStamp } from '../../src/workspace/backups.js';
import { parseValidateOutput } from '../../src/workspace/load-check.js';

describe('backup folder names', () => {
  it('are UTC, sortable, without ":" and read back (a same-second suffix is ignored)', () => {
    const now = new Date('2026-11-22T14:51:55.123Z');
    expect(backupStamp(now)).toBe('2026-11-22T14-51-55Z');
    expect(parseBackupStamp('2026-11-22T14-51-55Z')?.toISOString()).toBe('2026-11-22T14:51:55.000Z');
    expect(parseBackupStamp('2026-11-22T14-51-55Z-2')?.toISOString()).toBe('2026-11-22T14:51:55.000Z');
    expect(parseBackupStamp('.gitkeep')).toBeUndefined();
  });
});

describe('dagster definitions validate output', () => {
  // As Dagster 1.13 prints it (colours already stripped), one location failing.
  const output = [
    '2026-11-22 15:06:44 +0000 - dagster - INFO - Using temporary directory /tmp/x for storage.',
    '2026-11-22 15:06:51 +0000 - dagster - INFO - Validation successful for code location sales_data.',
    '2026-11-22 15:06:51 +0000 - dagster - ERROR - Validation failed for code location web_logs:',
    '',
    'RuntimeError: boom in module',
    '',
    'Stack Trace:',
    '  [12 dagster system frames hidden, run with --verbose to see the full stack trace]',
    '  File "/ws/projects/web-logs/src/web_logs_dagster/__init__.py", line 4, in <module>',
    '    from .assets import raw_records, summary',
    '  File "/ws/projects/web-logs/src/web_logs_dagster/assets.py", line 12, in <module>',
    "    raise RuntimeError('boom in module')",
    '',
    '2026-11-22 15:06:51 +0000 - dagster - INFO - Validation successful for code location notes.',
    '2026-11-22 15:06:51 +0000 - dagster - ERROR - Validation for 1 code locations failed.',
  ].join('\n');

  it('gives one result per location, with the error and the user-code frame for a failure', () => {
    expect(parseValidateOutput(output, ['sales_data', 'web_logs', 'notes', 'ghost'])).toEqual([
      { location: 'sales_data', ok: true },
      { location: 'web_logs', ok: false, detail: 'RuntimeError: boom in module at File "/ws/projects/web-logs/src/web_logs_dagster/assets.py", line 12, in <module>' },
      { location: 'notes', ok: true },
      { location: 'ghost', ok: false, detail: 'Dagster did not report this location (see its output)' },
    ]);
  });
});
