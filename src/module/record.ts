import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Node } from 'yaml';
import { DATABASE_CHOICES, type DatabaseChoice } from '../catalog/databases.js';
import { GOVERNANCE_CHOICES, type GovernanceChoice } from '../catalog/governance.js';
import { corruptFileError } from '../formats/file-errors.js';
import { lineNumberAt } from '../formats/text-lines.js';
import type { SetSource } from '../templates/template-sets.js';
import type { ChangeSet } from '../transaction/changes.js';

/**
 * How a module was made, written by `dmb new` at the module root and committed with it. It never holds
 * a secret: files that do are recorded by hash only. `dmb audit`, `configure-deployment` and `upgrade`
 * read the answers from here instead of guessing them from the generated files.
 */
export const RECORD_FILE = '.dmb-answers.yml';
/**
 * The merge base of a later `dmb upgrade`: an exact copy of every generated file that holds no secret,
 * at the same relative path. With it, an upgrade merges the template's changes into the user's edits
 * three ways (base, the user's file, the newly rendered file) instead of overwriting either.
 */
export const MERGE_BASE_DIR = '.dmb/base';

export interface ModuleRecord {
  dmbVersion: string;
  module: string;
  package: string;
  answers: {
    database: DatabaseChoice;
    requirements: string[];
    governance: GovernanceChoice;
    description: string;
    owner: string;
  };
  templates: Array<{ set: string; source: SetSource; sha256: string }>;
  /** Relative path -> sha256 (hex) of the bytes `dmb new` wrote. */
  files: Record<string, string>;
}

const SOURCES: SetSource[] = ['built-in', 'patterns/dagster'];
const HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A YAML scalar: plain when it cannot be read as anything but that string (in YAML 1.1 and 1.2), else JSON-quoted. */
function scalar(value: string): string {
  const plain = /^[A-Za-z0-9_./@+-][A-Za-z0-9 _./@+()-]*$/.test(value) && !value.endsWith(' ');
  const ambiguous =
    /^(y|yes|n|no|true|false|on|off|null|~)$/i.test(value) ||
    /^[-+]?(\.?\d)[\d_]*(\.[\d_]*)?([eE][-+]?\d+)?$/.test(value) ||
    /^[-+]?(0[xob]|\d[\d_]*(:[0-5]?\d)+)/i.test(value) ||
    /^[-+]?\.(inf|nan)$/i.test(value);
  return plain && !ambiguous ? value : JSON.stringify(value);
}

/** The record's text, in the documented shape (README: "How a module records how it was made"). */
export function renderModuleRecord(record: ModuleRecord): string {
  const { answers } = record;
  const lines = [
    '# Written by dmb new: how this module was made. Commit it; it holds no secret. dmb audit and dmb upgrade read it.',
    `dmb_version: ${scalar(record.dmbVersion)}`,
    `module: ${scalar(record.module)}`,
    `package: ${scalar(record.package)}`,
    'answers:',
    `  database: ${scalar(answers.database)}        # ${DATABASE_CHOICES.join(' | ')}`,
    `  requirements: [${answers.requirements.map(scalar).join(', ')}]`,
    `  governance: ${scalar(answers.governance)}        # ${GOVERNANCE_CHOICES.join(' | ')}`,
    `  description: ${scalar(answers.description)}`,
    `  owner: ${scalar(answers.owner)}`,
    'templates:',
    ...record.templates.flatMap((t) => [`  - set: ${scalar(t.set)}`, `    source: ${scalar(t.source)}`, `    sha256: ${t.sha256}`]),
    'files:',
    ...Object.entries(record.files).map(([path, hash]) => `  ${scalar(path)}: ${hash}`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The module's record, or undefined for a module made by hand (or by a dmb older than the record).
 * A record that exists but does not have the documented shape is an error naming file and line.
 */
export async function readModuleRecord(tree: ChangeSet, moduleDir: string, shown = RECORD_FILE): Promise<ModuleRecord | undefined> {
  const text = await tree.read(join(moduleDir, RECORD_FILE));
  if (text === undefined) return undefined;
  const { isMap, isSeq, isScalar } = await import('yaml');
  const { parseYaml } = await import('../formats/yaml-text.js');
  const { doc, errors } = parseYaml(text);
  const fix = `Fix ${RECORD_FILE} by hand (its shape is in dmb's README), or restore it from git; dmb new wrote it and nothing else should change it.`;
  const fail = (node: Node | null | undefined, message: string): never => {
    throw corruptFileError(shown, lineNumberAt(text, node?.range?.[0] ?? 0), message, fix);
  };
  const [parseError] = errors;
  if (parseError) throw corruptFileError(shown, parseError.line, `invalid YAML: ${parseError.message}`, fix);
  const root = doc.contents;
  if (!isMap(root)) return fail(root, 'expected a map with dmb_version, module, package, answers, templates and files.');
  const get = (map: Node, key: string): Node | null => {
    if (!isMap(map)) return null;
    const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
    if (!pair) fail(map, `"${key}" is missing.`);
    return pair?.value as Node | null;
  };
  const stringAt = (map: Node, key: string, allowed?: readonly string[]): string => {
    const node = get(map, key);
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== 'string' || value === '') return fail(node ?? map, `"${key}" must be a non-empty string.`);
    if (allowed && !allowed.includes(value)) return fail(node, `"${key}" is "${value}"; expected one of ${allowed.join(', ')}.`);
    return value;
  };
  const answersNode = get(root, 'answers') as Node;
  if (!isMap(answersNode)) return fail(answersNode ?? root, '"answers" must be a map.');
  const requirementsNode = get(answersNode, 'requirements');
  if (!isSeq(requirementsNode) || !requirementsNode.items.every((item) => isScalar(item) && typeof item.value === 'string')) {
    return fail(requirementsNode ?? answersNode, '"requirements" must be a list of names, e.g. [ssh, pdf] or [].');
  }
  const templatesNode = get(root, 'templates');
  if (!isSeq(templatesNode)) return fail(templatesNode ?? root, '"templates" must be a list of {set, source, sha256}.');
  const templates = templatesNode.items.map((item) => {
    if (!isMap(item)) return fail(item as Node, 'each template entry must be a map with set, source and sha256.');
    const sha256 = stringAt(item, 'sha256');
    if (!HEX.test(sha256)) fail(get(item, 'sha256'), '"sha256" must be 64 lower-case hex digits.');
    return { set: stringAt(item, 'set'), source: stringAt(item, 'source', SOURCES) as SetSource, sha256 };
  });
  const filesNode = get(root, 'files');
  if (!isMap(filesNode)) return fail(filesNode ?? root, '"files" must map each generated file to its sha256.');
  const files: Record<string, string> = {};
  for (const pair of filesNode.items) {
    const path = isScalar(pair.key) ? pair.key.value : undefined;
    const hash = isScalar(pair.value) ? pair.value.value : undefined;
    if (typeof path !== 'string' || typeof hash !== 'string' || !HEX.test(hash)) {
      return fail((pair.key as Node) ?? filesNode, 'each file entry must be "<relative path>: <64 hex digits of sha256>".');
    }
    files[path] = hash;
  }
  return {
    dmbVersion: stringAt(root, 'dmb_version'),
    module: stringAt(root, 'module'),
    package: stringAt(root, 'package'),
    answers: {
      database: stringAt(answersNode, 'database', DATABASE_CHOICES) as DatabaseChoice,
      requirements: requirementsNode.items.map((item) => String((item as { value: unknown }).value)),
      governance: stringAt(answersNode, 'governance', GOVERNANCE_CHOICES) as GovernanceChoice,
      description: stringAt(answersNode, 'description'),
      owner: stringAt(answersNode, 'owner'),
    },
    templates,
    files,
  };
}
