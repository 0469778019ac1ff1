import { describe, expect, it } from 'vitest';
import { databaseName, databaseUser, moduleFeatures, moduleTemplateSets, moduleVariables } from '../../src/module/variables.js';
import type { NewModuleAnswers } from '../../src/module/answers.js';
import { deriveNames } from '../../src/module/naming.js';

function answers(overrides: Partial<NewModuleAnswers> = {}): NewModuleAnswers {
  return {
    names: deriveNames('sales-data'),
    description: 'Sales',
    database: 'postgresql',
    requirements: [],
    governance: 'standard',
    integrate: 'no',
    deploy: 'no',
    owner: 'data-team',
    ...overrides,
  };
}

describe('module variables', () => {
  it('keeps database user names within MySQL 8 (32) and database names within PostgreSQL (63)', () => {
    const long = 'a'.repeat(30) + '_' + 'b'.repeat(33);
    expect(databaseUser('sales_data')).toBe('sales_data_user');
    expect(databaseUser(long).length).toBeLessThanOrEqual(32);
    expect(databaseUser('abcdefghijklmnopqrstuvwxyz_a_long')).toBe('abcdefghijklmnopqrstuvwxyz_user');
    expect(databaseName(long).length).toBeLessThanOrEqual(63);
    expect(databaseName(long)).not.toMatch(/_$/);
  });

  it('walks the governance and database tables for sets and features', () => {
    expect(moduleTemplateSets(answers({ governance: 'enterprise', database: 'mysql' }))).toEqual([
      'base',
      'workspace-integration',
      'addons/mysql',
      'addons/schedules',
      'addons/enterprise',
    ]);
    expect([...moduleFeatures(answers({ governance: 'quick', database: 'none' }))]).toEqual([]);
    expect([...moduleFeatures(answers({ requirements: ['ssh'] }))].sort()).toEqual(['apt', 'db', 'postgresql', 'schedules']);
  });

  it('renders Dockerfile continuation lines with the last pip line unterminated and apt lines all terminated', () => {
    const vars = moduleVariables(answers({ requirements: ['ssh', 'pdf'] }), { hostPort: 5438, password: 'x'.repeat(32), networkName: 'net' });
    expect(vars.PIP_PACKAGES!.split('\n').at(-1)).not.toMatch(/\\$/);
    expect(vars.PIP_PACKAGES).toContain('"dagster==1.13.27" \\');
    expect(vars.APT_PACKAGES).toBe('    openssh-client \\\n    poppler-utils \\');
    expect(vars.DB_SERVICE).toBe('sales_data_postgres');
    expect(vars.DB_HOST_PORT).toBe('5438');
    expect(vars.DB_CONTAINER_PORT).toBe('5432');
  });
});
