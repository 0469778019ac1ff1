import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/program.js';
import { REPO_ROOT } from '../helpers/cli.js';

describe('each command parses its options into a typed object at the boundary', () => {
  it('every command in the table has a parse and a run', async () => {
    for (const spec of COMMANDS) {
      const module = await spec.load();
      expect(typeof module.parse, spec.path.join(' ')).toBe('function');
      expect(typeof module.run, spec.path.join(' ')).toBe('function');
    }
  });

  it('parse turns commander values into typed options, and refuses what does not fit', async () => {
    const load = (path: string) => COMMANDS.find((c) => c.path.join(' ') === path)!.load();
    expect((await load('new')).parse({ args: ['seo-stats'], options: { db: 'mysql', owner: 'team' } })).toEqual({
      name: 'seo-stats',
      db: 'mysql',
      requires: undefined,
      governance: undefined,
      integrate: undefined,
      deploy: undefined,
      description: undefined,
      owner: 'team',
    });
    expect((await load('dev')).parse({ args: [], options: { port: '3005' } })).toEqual({ port: 3005 });
    expect((await load('workspace remove')).parse({ args: ['notes'], options: { purgeData: true } })).toEqual({ module: 'notes', purgeData: true });
    expect((await load('workspace remove')).parse({ args: ['notes'], options: {} })).toEqual({ module: 'notes', purgeData: undefined });
    expect((await load('workspace validate')).parse({ args: [], options: { load: true } })).toEqual({ load: true });
    const dev = await load('dev');
    expect(() => dev.parse({ args: [], options: { port: 'abc' } })).toThrow(/--port "abc" is not a port number/);
    expect(() => dev.parse({ args: [], options: { port: true } })).toThrow(/--port needs a value/);
    const add = await load('workspace add');
    expect(() => add.parse({ args: [], options: {} })).toThrow(/No module name given/);
  });

  it('no handler casts its options (`options.x as string`)', () => {
    const dir = join(REPO_ROOT, 'src', 'commands');
    for (const file of readdirSync(dir)) {
      expect(readFileSync(join(dir, file), 'utf8'), file).not.toMatch(/options\.\w+ as /);
    }
  });
});
