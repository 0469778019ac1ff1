/**
 * What a valid answer looks like, as data: each rule names the value it checks, says why a value is
 * refused and what would work. Used for flags, prompts and (the same rules) deployment.yaml.
 */
export interface InputRule {
  /** Returns the reason the value is refused, or undefined when it is fine. */
  check(value: string): string | undefined;
  /** What would work, shown as the error's fix. */
  fix: string;
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;

export const RULES = {
  deploymentName: {
    check: (value) =>
      /^[a-z0-9][a-z0-9_-]{0,39}$/.test(value)
        ? undefined
        : 'is not a safe folder name (lower-case letters, digits, "-" and "_", starting with a letter or digit, at most 40 characters)',
    fix: 'Pass e.g. --name yoda, --name production or --name client-staging.',
  },
  client: {
    check: (value) => (value.trim() === '' ? 'is empty' : /[\r\n\t`$\\"]/.test(value) ? 'holds a line break, tab, quote, backslash, ` or $' : undefined),
    fix: 'Pass the client as plain text, e.g. --client "Beast Business".',
  },
  environment: {
    check: (value) => (/^[a-z][a-z0-9_-]{0,29}$/.test(value) ? undefined : 'is not a plain environment name'),
    fix: 'Pass e.g. --environment production, --environment staging or --environment development.',
  },
  host: {
    check: (value) => {
      if (/\s/.test(value)) return 'contains a space';
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'has a scheme (like ssh:// or https://)';
      if (value.includes('@')) return 'holds a user name ("user@host")';
      if (HOST_NAME.test(value) || (value.includes(':') && IPV6.test(value))) return undefined;
      return 'is not a host name or IP address';
    },
    fix: 'Pass the bare host name or address, e.g. --host client.example.com or --host 203.0.113.10 (the user goes in --user, the port in --port).',
  },
  user: {
    check: (value) => (/^[a-z_][a-z0-9_-]{0,31}$/i.test(value) ? undefined : 'is not a Unix user name'),
    fix: 'Pass the SSH user, e.g. --user deploy.',
  },
  port: {
    check: (value) => {
      if (!/^\d+$/.test(value.trim())) return 'is not a number';
      const port = Number(value);
      return port >= 1 && port <= 65535 ? undefined : 'is outside 1-65535';
    },
    fix: 'Pass the SSH port as a number from 1 to 65535, e.g. --port 22.',
  },
  basePath: {
    check: (value) => {
      if (!value.startsWith('/')) return 'is relative';
      if (value.split('/').some((part) => part === '..' || part === '.')) return 'holds ".." or "."';
      if (!/^[A-Za-z0-9._/-]+$/.test(value)) return 'holds characters other than letters, digits, ".", "_", "-" and "/"';
      return undefined;
    },
    fix: 'Pass an absolute path on the server without ".." or spaces, e.g. --base-path /srv/dagster or --base-path /home/deploy/dagster.',
  },
  repository: {
    check: (value) => {
      if (/\s/.test(value) || value === '') return 'is empty or holds a space';
      if (/^(ssh|https?|git|file):\/\/[^\s]+$/.test(value) || /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$/.test(value) || value.startsWith('/')) return undefined;
      return 'is not a git URL';
    },
    fix: 'Pass a URL git can clone, e.g. --repository git@github.com:org/module.git or --repository https://gitlab.example.com/org/module.git.',
  },
  branch: {
    check: (value) => (/^(?!.*\.\.)(?!\/)[A-Za-z0-9._/-]+(?<![./])$/.test(value) && !value.endsWith('.lock') ? undefined : 'is not a valid branch name'),
    fix: 'Pass a branch name, e.g. --branch main.',
  },
  exclude: {
    check: (value) => (value.trim() === '' || /[\r\n]/.test(value) ? 'is empty or holds a line break' : undefined),
    fix: 'Pass one rsync pattern per --exclude, e.g. --exclude notebooks/ --exclude "*.csv".',
  },
  registry: {
    check: (value) =>
      /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*$/.test(value) ? undefined : 'is not a registry host (with an optional path)',
    fix: 'Pass the registry without a scheme, e.g. --registry ghcr.io/acme or --registry registry.example.com:5000.',
  },
  image: {
    check: (value) => (/^[a-z0-9]([a-z0-9._/-]*[a-z0-9])?$/.test(value) && !value.includes('//') ? undefined : 'is not an image name (lower case, no tag)'),
    fix: 'Pass the image name without registry or tag, e.g. --image sales-data.',
  },
  context: {
    check: (value) => (value.startsWith('/') || !/^[A-Za-z0-9._/-]+$/.test(value) ? 'is not a relative path' : undefined),
    fix: 'Pass the build context relative to the module folder: --context . (the module root) or, in a monorepo, --context .. (a folder that holds the module).',
  },
  namespace: {
    check: (value) => (/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(value) ? undefined : 'is not a Kubernetes namespace name (a DNS label)'),
    fix: 'Pass lower-case letters, digits and "-", e.g. --namespace dagster.',
  },
} satisfies Record<string, InputRule>;

export type RuleName = keyof typeof RULES;
