import { lineNumberAt } from '../../formats/text-lines.js';
import type { WorkspaceView } from './workspace-view.js';

/** The line of the deepest node of `path` that docker-compose.yml has (for a finding about it). */
export function composeLineOf(view: WorkspaceView, path: string[]): number | undefined {
  const doc = view.composeDoc;
  const text = view.text.compose;
  if (!doc || text === undefined) return undefined;
  for (let depth = path.length; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth).map((p) => (/^\d+$/.test(p) ? Number(p) : p)), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lineNumberAt(text, node.range[0]);
  }
  return undefined;
}
