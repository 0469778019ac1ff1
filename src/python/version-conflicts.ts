import { normalizeName } from './requirements.js';

/**
 * Requirements of different modules that no single version satisfies: every module shares one Python
 * environment in the shared image, so the last `pip install` silently wins. Only plain release numbers
 * (1, 2.31, 2.31.0) and the operators == != ~= >= <= > < are judged; anything else is left to `pip check`
 * in the image build.
 */
export interface ModuleRequirement {
  module: string;
  spec: string;
}

export interface VersionConflict {
  name: string;
  first: ModuleRequirement;
  second: ModuleRequirement;
}

type Version = number[];
interface Clause {
  op: string;
  version: Version;
}

function parseVersion(text: string): Version | undefined {
  return /^\d+(\.\d+)*$/.test(text) ? text.split('.').map(Number) : undefined;
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

/** Name and clauses of a requirement; undefined when a clause is beyond what is judged here. */
function parseRequirement(spec: string): { name: string; clauses: Clause[] } | undefined {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)/.exec(spec);
  if (!match) return undefined;
  const clauses: Clause[] = [];
  for (const part of (match[2] ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const clause = /^(==|!=|~=|>=|<=|>|<)\s*(\S+)$/.exec(part);
    const version = clause && parseVersion(clause[2] as string);
    if (!clause || !version) return undefined;
    if (clause[1] === '~=') {
      // ~=X.Y means >=X.Y,==X.*; ~=X.Y.Z means >=X.Y.Z,==X.Y.*
      const upper = version.slice(0, -1);
      upper[upper.length - 1] = (upper[upper.length - 1] ?? 0) + 1;
      clauses.push({ op: '>=', version }, { op: '<', version: upper });
    } else clauses.push({ op: clause[1] as string, version });
  }
  return { name: normalizeName(match[1] as string), clauses };
}

function satisfies(version: Version, clause: Clause): boolean {
  const c = compare(version, clause.version);
  return { '==': c === 0, '!=': c !== 0, '>=': c >= 0, '<=': c <= 0, '>': c > 0, '<': c < 0 }[clause.op] ?? true;
}

/** True when no version satisfies every clause (pins checked exactly, ranges by their bounds). */
function unsatisfiable(clauses: Clause[]): boolean {
  const pins = clauses.filter((c) => c.op === '==');
  if (pins.length > 0) return !clauses.every((clause) => satisfies(pins[0]!.version, clause));
  const lower = clauses.filter((c) => c.op === '>=' || c.op === '>').sort((a, b) => compare(b.version, a.version) || (a.op === '>' ? -1 : 1))[0];
  const upper = clauses.filter((c) => c.op === '<=' || c.op === '<').sort((a, b) => compare(a.version, b.version) || (a.op === '<' ? -1 : 1))[0];
  if (!lower || !upper) return false;
  const c = compare(lower.version, upper.version);
  return c > 0 || (c === 0 && (lower.op === '>' || upper.op === '<'));
}

export function findVersionConflicts(requirements: ModuleRequirement[]): VersionConflict[] {
  const parsed = requirements.map((r) => ({ ...r, parsed: parseRequirement(r.spec) })).filter((r) => r.parsed !== undefined);
  const conflicts: VersionConflict[] = [];
  parsed.forEach((a, i) => {
    for (const b of parsed.slice(i + 1)) {
      if (a.module === b.module || a.parsed!.name !== b.parsed!.name) continue;
      if (unsatisfiable([...a.parsed!.clauses, ...b.parsed!.clauses])) {
        conflicts.push({ name: a.parsed!.name, first: { module: a.module, spec: a.spec }, second: { module: b.module, spec: b.spec } });
      }
    }
  });
  return conflicts;
}
