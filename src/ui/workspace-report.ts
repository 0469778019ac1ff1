import { paint } from './paint.js';
import type { Change } from '../transaction/changes.js';
import { lineDelta } from '../transaction/render-plan.js';
import { tildePath } from '../workspace/workspace-files.js';

export interface FileDelta {
  path: string;
  shown: string;
  added: number;
  removed: number;
}

/** "Modified files" as the spec prints them: one line per file with the lines added (and removed). */
export function summarizeChanges(changes: Change[], home: string | undefined): FileDelta[] {
  return changes
    .filter((change) => change.kind !== 'removeTree')
    .map((change) => ({ path: change.path, shown: tildePath(change.path, home), ...lineDelta(change) }));
}

export function formatDelta(delta: FileDelta): string {
  const parts = [delta.added > 0 || delta.removed === 0 ? `+${delta.added}` : '', delta.removed > 0 ? `-${delta.removed}` : ''].filter(Boolean);
  return `- ${delta.shown} (${parts.join(' ')} lines)`;
}

/** The spec's "Next steps" after `workspace add`. */
export function nextStepsAfterAdd(serviceDir: string, snakes: string[]): string[] {
  return [
    'Next steps:',
    '1. Restart workspace:',
    `   cd ${serviceDir}`,
    '   docker-compose up -d --build',
    '',
    '2. Verify in Dagster UI:',
    '   http://localhost:3000',
    `   Navigate to Assets → Should see ${snakes.map((s) => `${s}/*`).join(', ')} assets`,
    '',
    '3. Test materialization:',
    '   Click on asset → Materialize',
  ];
}

/** add and sync: what changed in a module's snippet so the image installs its declared packages. */
export function dependencyNote(update: { file: string; source: string; added: string[]; removed: string[] }): string {
  const parts = [update.added.length ? `+ ${update.added.join(', ')}` : '', update.removed.length ? `- ${update.removed.join(', ')}` : ''].filter(Boolean);
  return `${paint.yellow('!')} Python packages: ${update.file} now installs what ${update.source} declares (${parts.join('; ')}); rebuild the image.`;
}
