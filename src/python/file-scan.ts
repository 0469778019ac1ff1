import type { Node } from 'web-tree-sitter';
import type { PyFile } from './package.js';
import { walk } from './syntax.js';

/** The nodes rules look at, gathered in one walk of a file's tree (each file is walked once, however many rules ask). */
export interface FileScan {
  calls: Node[];
  strings: Node[];
  subscripts: Node[];
  attributes: Node[];
  returns: Node[];
}

const scans = new WeakMap<PyFile, FileScan>();

export function scanFile(file: PyFile): FileScan {
  const cached = scans.get(file);
  if (cached) return cached;
  const scan: FileScan = { calls: [], strings: [], subscripts: [], attributes: [], returns: [] };
  walk(file.parsed.root, (node) => {
    switch (node.type) {
      case 'call':
        scan.calls.push(node);
        break;
      case 'string':
        // Its children may hold f-string placeholders with calls in them: keep walking.
        scan.strings.push(node);
        break;
      case 'concatenated_string':
        scan.strings.push(node);
        return false;
      case 'subscript':
        scan.subscripts.push(node);
        break;
      case 'attribute':
        scan.attributes.push(node);
        break;
      case 'return_statement':
        scan.returns.push(node);
        break;
      case 'comment':
        return false;
    }
    return true;
  });
  scans.set(file, scan);
  return scan;
}

/** The nodes of a scan that lie inside `scope` (a class or function definition). */
export function within(nodes: Node[], scope: Node): Node[] {
  return nodes.filter((node) => node.startIndex >= scope.startIndex && node.endIndex <= scope.endIndex);
}
