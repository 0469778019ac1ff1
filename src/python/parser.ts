import { createRequire } from 'node:module';
import { Language, Parser, Query, type Node, type Tree } from 'web-tree-sitter';

/** A parsed Python file. `syntaxError` is where the parser first gave up; the tree is still usable around it. */
export interface ParsedPython {
  /** Path as messages show it (relative to the module folder). */
  file: string;
  source: string;
  tree: Tree;
  root: Node;
  syntaxError?: { line: number; column: number };
}

let parserPromise: Promise<Parser> | undefined;
const queries = new Map<string, Query>();

/** A tree-sitter query over the Python grammar, compiled once per process (needs loadPythonParser first). */
export function pythonQuery(parser: Parser, source: string): Query {
  let query = queries.get(source);
  if (!query) {
    query = new Query(parser.language!, source);
    queries.set(source, query);
  }
  return query;
}

/** Loads the WebAssembly runtime and the Python grammar once per process (≈100 ms), then reuses them. */
export function loadPythonParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    const require = createRequire(import.meta.url);
    await Parser.init();
    const language = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

export async function parsePython(source: string, file: string): Promise<ParsedPython> {
  const parser = await loadPythonParser();
  activeParser = parser;
  const tree = parser.parse(source);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${file}`);
  const root = tree.rootNode;
  const parsed: ParsedPython = { file, source, tree, root };
  if (root.hasError) {
    const at = firstErrorNode(root);
    if (at) parsed.syntaxError = { line: at.startPosition.row + 1, column: at.startPosition.column + 1 };
  }
  return parsed;
}

/** The first ERROR or MISSING node in source order: where Python itself would report the error. */
function firstErrorNode(node: Node): Node | undefined {
  if (node.type === 'ERROR' || node.isMissing) return node;
  if (!node.hasError) return undefined;
  for (const child of node.children) {
    const found = child && firstErrorNode(child);
    if (found) return found;
  }
  return node;
}

let activeParser: Parser | undefined;

/** The loaded parser, once any file was parsed (queries over a parsed tree need it). */
export function loadedParser(): Parser {
  if (!activeParser) throw new Error('no Python file parsed yet');
  return activeParser;
}

/** Frees the WebAssembly memory of a tree; call when the file's checks are done. */
export function releasePython(parsed: ParsedPython): void {
  parsed.tree.delete();
}
