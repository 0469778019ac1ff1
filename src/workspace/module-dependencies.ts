import { join } from 'node:path';
import { readSnippetPipPackages, writeSnippetPipPackages } from '../formats/dockerfile-snippet.js';
import { compareRequirements, declaredDependencies, type DeclaredDependencies } from '../python/requirements.js';
import type { ChangeSet } from '../transaction/changes.js';

/**
 * A module's dependencies reach the shared image only through its dockerfile.snippet: when the module
 * declares other packages (requirements.txt, pyproject.toml) than the snippet installs, local tests pass
 * and the container fails with ModuleNotFoundError. add and sync rewrite the snippet's packages from the
 * declared ones; list and validate report the difference.
 */
export interface DependencyDrift {
  declared: DeclaredDependencies;
  /** Declared but not installed by the snippet. */
  missing: string[];
  /** Installed by the snippet but no longer declared. */
  extra: string[];
}

/** undefined when they agree, or when either list is absent (no requirements file, no plain pip install line). */
export async function readDependencyDrift(changes: ChangeSet, moduleDir: string, snippet: string | undefined): Promise<DependencyDrift | undefined> {
  const installed = snippet === undefined ? undefined : readSnippetPipPackages(snippet);
  if (!installed) return undefined;
  const declared = declaredDependencies({
    requirementsTxt: await changes.read(join(moduleDir, 'requirements.txt')),
    pyproject: await changes.read(join(moduleDir, 'pyproject.toml')),
  });
  if (!declared) return undefined;
  const { missing, extra } = compareRequirements(declared.packages, installed);
  return missing.length || extra.length ? { declared, missing, extra } : undefined;
}

/** The snippet installing exactly the declared packages. */
export function regenerateSnippet(snippet: string, drift: DependencyDrift): string {
  return writeSnippetPipPackages(snippet, drift.declared.packages);
}

export function describeDrift(drift: DependencyDrift): string {
  const parts = [
    drift.missing.length ? `not installed in the image: ${drift.missing.join(', ')}` : '',
    drift.extra.length ? `installed but not declared: ${drift.extra.join(', ')}` : '',
  ].filter(Boolean);
  return `its ${drift.declared.source} and workspace/local/dockerfile.snippet differ (${parts.join('; ')})`;
}
