import type { Node } from 'web-tree-sitter';
import { loadedParser, pythonQuery } from './parser.js';
import type { PyFile } from './package.js';

/** The nodes rules look at, gathered in one walk of a file's tree (each file is walked once, however many rules ask). */
export interface FileScan {
  calls: Node[];
  strings: Node[];
  subscripts: Node[];
  attributes: Node[];
  returns: Node[];
}

const scans = new WeakMap<PyFile, FileScan>();

/** Every node kind a scan collects, matched by tree-sitter itself in one pass (no JS walk over every node). */
const SCAN_QUERY = `
(call) @calls
(string) @strings
(concatenated_string) @concatenated
(subscript) @subscripts
(attribute) @attributes
(return_statement) @returns
`;

export function scanFile(file: PyFile): FileScan {
  const cached = scans.get(file);
  if (cached) return cached;
  const scan: FileScan = { calls: [], strings: [], subscripts: [], attributes: [], returns: [] };
  let concatenatedEnd = -1;
  for (const { name, node } of pythonQuery(loadedParser(), SCAN_QUERY).captures(file.parsed.root)) {
    if (name === 'concatenated') {
      // `"a" "b"` is one string; its parts are not strings of their own (captures come in source order).
      scan.strings.push(node);
      concatenatedEnd = node.endIndex;
    } else if (name === 'strings') {
      if (node.startIndex >= concatenatedEnd) scan.strings.push(node);
    } else scan[name as keyof FileScan].push(node);
  }
  scans.set(file, scan);
  return scan;
}

/** The nodes of a scan that lie inside `scope` (a class or function definition). */
export function within(nodes: Node[], scope: Node): Node[] {
  return nodes.filter((node) => node.startIndex >= scope.startIndex && node.endIndex <= scope.endIndex);
}
