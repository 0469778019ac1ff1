/** Governance levels: each adds template sets and features (for `dmb:if` blocks) on top of the last. */
export interface GovernanceLevel {
  id: 'quick' | 'standard' | 'enterprise';
  summary: string;
  templateSets: string[];
  features: string[];
}

export const GOVERNANCE_LEVELS: GovernanceLevel[] = [
  {
    id: 'quick',
    summary: 'the base module: assets, IO manager, configs, smoke tests',
    templateSets: [],
    features: [],
  },
  {
    id: 'standard',
    summary: 'quick + a job over the module\'s assets and a daily schedule, with tests for them',
    templateSets: ['addons/schedules'],
    features: ['schedules'],
  },
  {
    id: 'enterprise',
    summary: 'standard + asset checks, owners and freshness metadata, a CODEOWNERS file and stricter ruff rules',
    templateSets: ['addons/schedules', 'addons/enterprise'],
    features: ['schedules', 'enterprise'],
  },
];

export const GOVERNANCE_CHOICES = GOVERNANCE_LEVELS.map((level) => level.id);
export type GovernanceChoice = GovernanceLevel['id'];

export function governanceLevel(id: GovernanceChoice): GovernanceLevel {
  const level = GOVERNANCE_LEVELS.find((candidate) => candidate.id === id);
  if (!level) throw new Error(`unknown governance level ${id}`);
  return level;
}
