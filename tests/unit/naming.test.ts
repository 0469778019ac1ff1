import { describe, expect, it } from 'vitest';
import { deriveNames } from '../../src/module/naming.js';
import { EXIT, isDmbError } from '../../src/errors.js';

describe('deriveNames', () => {
  it.each([
    ['customer-analytics', 'customer_analytics'],
    ['customer_analytics', 'customer_analytics'],
    ['Customer Analytics', 'customer_analytics'],
    ['customerAnalytics', 'customer_analytics'],
    ['  seo-stats  ', 'seo_stats'],
  ])('derives every form from %j', (input, snake) => {
    const names = deriveNames(input);
    expect(names.snake).toBe(snake);
    expect(names.upper).toBe(snake.toUpperCase());
    expect(names.slug).toBe(snake.replace(/_/g, '-'));
    expect(names.packageName).toBe(`${snake}_dagster`);
    expect(names.title.split(' ').every((w) => /^[A-Z0-9]/.test(w))).toBe(true);
  });

  it('titles my-data-pipeline as the spec does', () => {
    expect(deriveNames('my-data-pipeline')).toEqual({
      slug: 'my-data-pipeline',
      snake: 'my_data_pipeline',
      upper: 'MY_DATA_PIPELINE',
      title: 'My Data Pipeline',
      packageName: 'my_data_pipeline_dagster',
    });
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['../evil', /path separator/],
    ['a/b', /path separator/],
    ['a\\b', /path separator/],
    ['1abc', /not a Python identifier/],
    ['sales$', /not a Python identifier/],
    ['café_stats', /ASCII letters/],
    ['class', /Python keyword/],
    ['import', /Python keyword/],
    ['dagster', /clashes/],
    ['dagster-webserver', /clashes/],
    ['x'.repeat(65), /at most 64/],
  ])('refuses %j with a usage error that says why', (input, why) => {
    try {
      deriveNames(input);
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(isDmbError(error)).toBe(true);
      if (!isDmbError(error)) return;
      expect(error.exitCode).toBe(EXIT.usage);
      expect(error.message).toMatch(why);
      expect(error.fix).toBeTruthy();
    }
  });
});
