import { parseEnvLines, readEnvEntries } from '../formats/env-file.js';
import { generatePassword } from '../secrets/generate-secret.js';
import type { DetectedModule } from './detect.js';

/** Keys whose values are secrets: generated for .env.deploy, placeholders in the example, redacted on output. */
const SECRET_KEY = /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIAL)/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export const SECRET_PLACEHOLDER = 'CHANGE_THIS_IN_PRODUCTION';

/** The example's KEY=value lines: real non-secret values, placeholders for secrets and unknowns. */
export function envExampleLines(module: DetectedModule): string {
  return module.variables.map(({ key, localValue }) => `${key}=${isSecretKey(key) || !localValue ? SECRET_PLACEHOLDER : localValue}`).join('\n');
}

export interface EnvDeployPlan {
  content: string;
  /** Keys whose values were already in .env.deploy and are kept as they are. */
  kept: string[];
  /** Keys added now (a secret generated, or a value from the module). */
  added: string[];
}

/**
 * .env.deploy: generated secrets (letters and digits) and the module's non-secret values. An existing
 * file is kept byte for byte: only keys it lacks are appended, so a secret already there is never replaced.
 */
export function planEnvDeploy(
  module: DetectedModule,
  heading: string,
  existing: string | undefined,
  randomBytes: (size: number) => Buffer,
): EnvDeployPlan {
  const have = readEnvEntries(existing ?? '');
  const kept: string[] = [];
  const added: string[] = [];
  const lines: string[] = [];
  for (const { key, localValue } of module.variables) {
    if (have.has(key)) {
      kept.push(key);
      continue;
    }
    added.push(key);
    lines.push(`${key}=${isSecretKey(key) ? generatePassword(randomBytes, 40) : (localValue ?? '')}`);
  }
  if (existing === undefined) return { content: `${heading}\n${lines.join('\n')}\n`, kept, added };
  if (lines.length === 0) return { content: existing, kept, added };
  const base = existing === '' || existing.endsWith('\n') ? existing : `${existing}\n`;
  return { content: `${base}# Added by dmb configure-deployment (values already here were kept):\n${lines.join('\n')}\n`, kept, added };
}

/** The same text with every value replaced, for diffs and reports: secrets never reach the output. */
export function redactEnvText(text: string): string {
  return parseEnvLines(text)
    .map((line) => (line.kind === 'entry' ? `${line.key}=${line.value === '' ? '' : '[redacted]'}` : line.raw))
    .join('\n');
}
