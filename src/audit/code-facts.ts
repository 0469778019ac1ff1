import type { PyPackage } from '../python/package.js';
import {
  classifyRegistration,
  findAssets,
  findDefinitionsCalls,
  findEnvReads,
  findGovernanceSignals,
  findIoManagerClasses,
  registeredResources,
  type AssetDefinition,
  type DefinitionsCall,
  type EnvRead,
  type GovernanceSignals,
  type IoManagerClass,
  type Registration,
} from './dagster-code.js';

/** What the rules read from the module's Python, computed once per module. */
export interface CodeFacts {
  ioClasses: IoManagerClass[];
  definitions: DefinitionsCall[];
  /** How `io_manager` is registered; undefined when no Definitions registers one. */
  registration?: Registration;
  envReads: EnvRead[];
  assets: AssetDefinition[];
  signals: GovernanceSignals;
}

export function readCodeFacts(pkg: PyPackage | undefined): CodeFacts {
  if (!pkg) return { ioClasses: [], definitions: [], envReads: [], assets: [], signals: {} };
  const definitions = findDefinitionsCalls(pkg);
  let registration: Registration | undefined;
  for (const call of definitions) {
    // Definitions.merge: a later Definitions' resource of the same key wins, as in Dagster.
    const ioManager = registeredResources(pkg, call).get('io_manager');
    if (ioManager) registration = classifyRegistration(pkg, ioManager.file, ioManager.node);
  }
  return {
    ioClasses: findIoManagerClasses(pkg),
    definitions,
    registration,
    envReads: findEnvReads(pkg),
    assets: findAssets(pkg),
    signals: findGovernanceSignals(pkg),
  };
}
