import { REPAIR_FIX } from '../../formats/file-errors.js';
import { MERGED_FILES } from '../paths.js';
import type { Check, Found } from './finding.js';
import type { WorkspaceView } from './workspace-view.js';

/** Checks that the shared service's files are there and can be read at all. */
export const FILE_CHECKS: ReadonlyArray<Check<WorkspaceView>> = [
  {
    id: 'file-missing',
    // init creates every missing file and keeps the ones that exist, so it is the right advice here.
    run: (view) =>
      view.missing.map((file) => ({ file: view.shown[file], message: 'is missing.', fix: 'Run "dmb init" to recreate missing files, or "dmb workspace restore <timestamp>".' })),
  },
  {
    id: 'registry-unreadable',
    run: ({ registryError }) => (registryError ? [{ message: registryError.message, fix: registryError.fix ?? REPAIR_FIX }] : []),
  },
  {
    id: 'marker-pairing',
    run: (view) =>
      MERGED_FILES.flatMap((file) =>
        (view.markerProblems[file] ?? []).map((p) => ({
          file: view.shown[file],
          line: p.line,
          message: p.message,
          fix: 'Add the missing marker line or delete the half block; or "dmb workspace restore <timestamp>".',
        })),
      ),
  },
  {
    id: 'yaml-syntax',
    run: (view) =>
      (['workspaceYaml', 'compose'] as const).flatMap((file) =>
        view.yamlErrors[file].map((error) => ({ file: view.shown[file], line: error.line, message: `invalid YAML: ${error.message}`, fix: REPAIR_FIX.replace(' Nothing was changed.', '') })),
      ),
  },
  {
    id: 'file-layout',
    run: ({ readErrors }) => readErrors.map((error): Found => ({ message: error.message, fix: error.fix ?? REPAIR_FIX })),
  },
];
