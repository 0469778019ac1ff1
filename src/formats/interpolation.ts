/**
 * Compose variable interpolation, as far as dmb needs it: which `${VAR}` a file uses, whether each has a
 * default, and what a value resolves to with the workspace .env (for published ports).
 */
export interface VariableRef {
  name: string;
  /** `${VAR:-x}`, `${VAR-x}`, `${VAR:+x}`, `${VAR+x}`: the file works without VAR being set. */
  hasDefault: boolean;
  /** Offset of the `$` inside the scanned string. */
  index: number;
}

const REFERENCE = /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

export function findVariableRefs(value: string): VariableRef[] {
  const refs: VariableRef[] = [];
  for (const match of value.matchAll(REFERENCE)) {
    if (match[1] === '$') continue;
    const name = match[2] ?? match[5];
    if (!name) continue;
    const operator = match[3] ?? '';
    refs.push({ name, hasDefault: operator.includes('-') || operator.includes('+'), index: match.index ?? 0 });
  }
  return refs;
}

/** Resolves `${VAR}`, `${VAR:-default}` and `$VAR` with `env`; unknown variables become "". */
export function interpolate(value: string, env: ReadonlyMap<string, string> | Record<string, string>): string {
  const get = (name: string) => (env instanceof Map ? env.get(name) : (env as Record<string, string>)[name]);
  return value.replace(REFERENCE, (whole, dollar, braced, operator, argument, bare) => {
    if (dollar === '$') return '$';
    const name = (braced ?? bare) as string;
    const current = get(name);
    const isSet = current !== undefined;
    const isEmpty = current === undefined || current === '';
    switch (operator as string | undefined) {
      case ':-':
        return isEmpty ? interpolate(argument ?? '', env) : (current as string);
      case '-':
        return isSet ? (current as string) : interpolate(argument ?? '', env);
      case ':+':
        return isEmpty ? '' : interpolate(argument ?? '', env);
      case '+':
        return isSet ? interpolate(argument ?? '', env) : '';
      default:
        return current ?? '';
    }
  });
}
