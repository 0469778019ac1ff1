import { join, relative } from 'node:path';
import type { FileSystem } from '../effects/effects.js';

export interface TemplateFile {
  /** Path relative to the tree's root, e.g. `base/pyproject.toml.template`. */
  path: string;
  content: string;
  /** 0o755 when the template is executable (a script), otherwise left to the default. */
  mode?: number;
}

/** Every file under a template tree, unrendered, in a stable order: what `init` copies for the team. */
export async function listTemplateTree(fs: FileSystem, root: string): Promise<TemplateFile[]> {
  const files: TemplateFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await fs.readdir(dir)).sort()) {
      const path = join(dir, entry);
      if (await fs.isDirectory(path)) {
        await walk(path);
        continue;
      }
      const mode = await fs.mode(path);
      files.push({
        path: relative(root, path),
        content: (await fs.readFile(path)).toString('utf8'),
        mode: mode !== undefined && mode & 0o111 ? 0o755 : undefined,
      });
    }
  };
  if (await fs.isDirectory(root)) await walk(root);
  return files;
}
