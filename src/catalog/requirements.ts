/**
 * The system-requirements pre-flight checklist as data: each answer maps to Debian packages for the
 * image, Python packages for the module, and what it costs. `dockerfile.snippet` is rendered from it.
 */
export interface Requirement {
  id: string;
  label: string;
  group: 'Remote systems' | 'Binary tools' | 'File formats';
  aptPackages: string[];
  pythonPackages: string[];
  /** Approximate size added to the image, in MB. */
  sizeMb: number;
  /** Shown with the warning when sizeMb exceeds LARGE_REQUIREMENT_MB. */
  alternatives?: string[];
}

export const LARGE_REQUIREMENT_MB = 100;

export const REQUIREMENTS: Requirement[] = [
  { id: 'ssh', label: 'SSH/SCP connections', group: 'Remote systems', aptPackages: ['openssh-client'], pythonPackages: [], sizeMb: 5 },
  { id: 'sftp', label: 'SFTP transfers', group: 'Remote systems', aptPackages: ['openssh-client'], pythonPackages: ['paramiko>=3.4'], sizeMb: 8 },
  { id: 'ftp', label: 'FTP transfers', group: 'Remote systems', aptPackages: ['ftp'], pythonPackages: [], sizeMb: 1 },
  { id: 'http', label: 'HTTP/HTTPS APIs', group: 'Remote systems', aptPackages: [], pythonPackages: ['requests>=2.31'], sizeMb: 1 },
  { id: 's3', label: 'Amazon S3', group: 'Remote systems', aptPackages: [], pythonPackages: ['boto3>=1.34'], sizeMb: 90 },
  { id: 'gcs', label: 'Google Cloud Storage', group: 'Remote systems', aptPackages: [], pythonPackages: ['google-cloud-storage>=2.16'], sizeMb: 40 },
  { id: 'git', label: 'git', group: 'Binary tools', aptPackages: ['git'], pythonPackages: [], sizeMb: 35 },
  { id: 'curl', label: 'curl/wget', group: 'Binary tools', aptPackages: ['curl', 'wget'], pythonPackages: [], sizeMb: 3 },
  { id: 'imagemagick', label: 'ImageMagick', group: 'Binary tools', aptPackages: ['imagemagick'], pythonPackages: [], sizeMb: 40 },
  {
    id: 'ffmpeg',
    label: 'ffmpeg',
    group: 'Binary tools',
    aptPackages: ['ffmpeg'],
    pythonPackages: [],
    sizeMb: 80,
  },
  { id: 'pandoc', label: 'pandoc', group: 'Binary tools', aptPackages: ['pandoc'], pythonPackages: [], sizeMb: 60 },
  { id: 'pdf', label: 'PDF processing', group: 'File formats', aptPackages: ['poppler-utils'], pythonPackages: ['pypdf>=4'], sizeMb: 15 },
  { id: 'images', label: 'Images', group: 'File formats', aptPackages: [], pythonPackages: ['pillow>=10'], sizeMb: 12 },
  {
    id: 'video',
    label: 'Video',
    group: 'File formats',
    aptPackages: ['ffmpeg'],
    pythonPackages: [],
    sizeMb: 80,
  },
  {
    id: 'office',
    label: 'Office documents',
    group: 'File formats',
    aptPackages: ['libreoffice-core'],
    pythonPackages: [],
    sizeMb: 400,
    alternatives: [
      'Use Python docx/openpyxl libraries instead',
      'Process documents outside container',
      'Use cloud-based conversion APIs',
    ],
  },
];

export const REQUIREMENT_IDS = REQUIREMENTS.map((requirement) => requirement.id);

export function findRequirement(id: string): Requirement | undefined {
  return REQUIREMENTS.find((requirement) => requirement.id === id);
}

/** The union of what the chosen requirements need, de-duplicated and sorted for stable output. */
export function collectPackages(ids: string[]): { apt: string[]; python: string[]; large: Requirement[] } {
  const chosen = ids.map((id) => findRequirement(id)).filter((r): r is Requirement => r !== undefined);
  const apt = [...new Set(chosen.flatMap((r) => r.aptPackages))].sort();
  const python = [...new Set(chosen.flatMap((r) => r.pythonPackages))].sort();
  const large = chosen.filter((r) => r.sizeMb > LARGE_REQUIREMENT_MB);
  return { apt, python, large };
}

export function largeRequirementWarning(requirement: Requirement): string {
  const packages = requirement.aptPackages.join(', ') || requirement.pythonPackages.join(', ');
  const lines = [`⚠️  WARNING: ${packages} adds ~${requirement.sizeMb}MB to image size`];
  if (requirement.alternatives?.length) {
    lines.push('    Consider alternatives:');
    for (const alternative of requirement.alternatives) lines.push(`    - ${alternative}`);
  }
  return lines.join('\n');
}
