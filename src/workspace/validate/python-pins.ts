import { readSnippetPipPackages } from '../../formats/dockerfile-snippet.js';
import { findVersionConflicts } from '../../python/version-conflicts.js';
import type { Check } from './finding.js';
import type { WorkspaceView } from './workspace-view.js';

/**
 * Every module installs into the image's one Python environment: requirements of two modules that no
 * version satisfies mean the later `pip install` silently changes the earlier module's library (the
 * build's `pip check` then fails). A warning, naming both modules and their requirements.
 */
export const PYTHON_PIN_CHECKS: ReadonlyArray<Check<WorkspaceView>> = [
  {
    id: 'python-version-conflict',
    run({ text, blocks, registry, shown }) {
      const dockerfile = text.dockerfile;
      if (dockerfile === undefined || !blocks.dockerfile) return [];
      const moduleOf = (marker: string) => registry.integrated_modules.find((e) => e.marker === marker)?.name ?? marker;
      const requirements = blocks.dockerfile.flatMap((block) =>
        (readSnippetPipPackages(dockerfile.slice(block.start, block.stop)) ?? []).map((spec) => ({ module: moduleOf(block.marker), spec })),
      );
      return findVersionConflicts(requirements).map(({ first, second }) => ({
        level: 'warning' as const,
        file: shown.dockerfile,
        message: `module "${first.module}" installs "${first.spec}" and module "${second.module}" "${second.spec}": no version satisfies both, and every module shares the image's one Python environment.`,
        fix: `Agree on one version range in both modules' requirements.txt, then run "dmb workspace sync" (the image build stops at "pip check" until then).`,
      }));
    },
  },
];
