import type { DatabaseChoice } from '../catalog/databases.js';
import type { GovernanceChoice } from '../catalog/governance.js';
import type { ModuleNames } from './naming.js';

export type LaterChoice = 'yes' | 'no' | 'later';

/** Everything `dmb new` needs to know, once every question is answered. */
export interface NewModuleAnswers {
  names: ModuleNames;
  description: string;
  database: DatabaseChoice;
  requirements: string[];
  governance: GovernanceChoice;
  integrate: LaterChoice;
  deploy: LaterChoice;
  owner: string;
}

/** Values the environment decides (ports, secrets), separated so golden tests can fix them. */
export interface NewModuleEnvironment {
  hostPort?: number;
  password?: string;
  networkName: string;
}
