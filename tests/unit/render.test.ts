import { describe, expect, it } from 'vitest';
import { applyConditions, renderContent, renderPath, substitute } from '../../src/templates/render.js';

const vars = { MODULE_NAME: 'sales_data', MODULE_NAME_UPPER: 'SALES_DATA' };

describe('template rendering', () => {
  it('substitutes placeholders, including ones glued to text', () => {
    expect(substitute('from __MODULE_NAME___dagster import x  # __MODULE_NAME_UPPER__', vars)).toBe('from sales_data_dagster import x  # SALES_DATA');
  });

  it('leaves Python dunders alone', () => {
    expect(renderContent('__all__ = [__name__]\n', vars, new Set(), 't')).toBe('__all__ = [__name__]\n');
  });

  it('refuses an unknown placeholder, naming it and the template', () => {
    expect(() => renderContent('x = "__NOPE__"', vars, new Set(), 'base/a.py.template')).toThrow(/base\/a\.py\.template.*__NOPE__/);
  });

  it('keeps or drops dmb:if blocks, nested and negated, in any comment style', () => {
    const template = ['a', '# dmb:if db', 'b', '  # dmb:if !mysql', 'c', '  # dmb:end', '# dmb:end', '<!-- dmb:if schedules -->', 'd', '<!-- dmb:end -->', 'e'].join('\n');
    expect(applyConditions(template, new Set(['db']), 't')).toBe('a\nb\nc\ne');
    expect(applyConditions(template, new Set(['db', 'mysql']), 't')).toBe('a\nb\ne');
    expect(applyConditions(template, new Set(['schedules']), 't')).toBe('a\nd\ne');
  });

  it('reports an unclosed or stray block', () => {
    expect(() => applyConditions('# dmb:if db\nx', new Set(), 'f')).toThrow(/not closed/);
    expect(() => applyConditions('x\n# dmb:end', new Set(), 'f')).toThrow(/f:2/);
  });

  it('maps template paths to output paths', () => {
    expect(renderPath('src/__MODULE_NAME___dagster/__init__.py.template', vars)).toBe('src/sales_data_dagster/__init__.py');
    expect(renderPath('dot-gitignore.template', vars)).toBe('.gitignore');
    expect(renderPath('workspace/local/dot-env.template', vars)).toBe('workspace/local/.env');
    expect(renderPath('deploy/dot-gitkeep', vars)).toBe('deploy/.gitkeep');
  });
});
