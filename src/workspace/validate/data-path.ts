import { isAbsolute, relative, resolve } from 'node:path';
import { readEnvEntries } from '../../formats/env-file.js';
import type { Check, Found } from './finding.js';
import type { WorkspaceView } from './workspace-view.js';

/**
 * DATA_PATH is where every database folder and the IO storage live. `init` writes it as an absolute path, so a
 * workspace moved or cloned elsewhere keeps using the old place: new, empty databases there (or another copy's
 * data), while the workspace's own data/ sits unused. A folder outside on purpose is allowed: hence a warning.
 */
export const DATA_PATH_CHECKS: ReadonlyArray<Check<WorkspaceView>> = [
  {
    id: 'data-path-outside',
    run: (view): Found[] => {
      const entry = readEnvEntries(view.text.env ?? '').get('DATA_PATH');
      const value = entry?.value.trim();
      // Unset, or built from other variables: nothing this check can resolve.
      if (!entry || !value || value.includes('$')) return [];
      const { paths } = view;
      const folder = isAbsolute(value) ? value : resolve(paths.serviceDir, value);
      const inside = relative(paths.root, folder);
      if (inside !== '..' && !inside.startsWith('../') && !isAbsolute(inside)) return [];
      return [
        {
          level: 'warning',
          file: view.shown.env,
          line: entry.line,
          message: `DATA_PATH is ${value}, outside this workspace (${paths.root}): the databases and stored asset values of this workspace live there. A workspace moved or cloned from elsewhere keeps the old path and silently uses (or starts empty in) that place.`,
          fix: `If the workspace was moved, set DATA_PATH=../../data in ${view.shown.env} (relative to docker-compose.yml, so it survives the next move; or the absolute ${paths.dataDir}), after moving the data you want to keep from ${folder} to ${paths.dataDir}. If the data is outside on purpose, keep it.`,
        },
      ];
    },
  },
];
