import { join } from 'node:path';
import type { FileSystem } from '../effects/effects.js';
import { DATABASES, databaseEnvNames, databaseKind, databaseServiceName, type DatabaseKind } from '../catalog/databases.js';
import { readEnvEntries } from '../formats/env-file.js';
import { databaseName, databaseUser } from '../module/variables.js';
import { ChangeSet } from '../transaction/changes.js';
import { findModuleFolder, readModuleConfig } from '../workspace/module-config.js';
import { workspacePaths } from '../workspace/paths.js';
import type { ModuleNames } from '../module/naming.js';
import { readModuleRecord, RECORD_FILE } from '../module/record.js';

export interface DetectedDatabase {
  kind: DatabaseKind;
  /** The compose service name: the host name code connects to on the target. */
  host: string;
  /** The container port the code uses (never the port published on the developer's host). */
  port: number;
  name: string;
  user: string;
}

/** What configure-deployment learns from the module and the workspace instead of asking. */
export interface DetectedModule {
  folder: string;
  dir: string;
  names: ModuleNames;
  database?: DetectedDatabase;
  /** Where the database type came from, for the report. */
  databaseSource: string;
  /** Every variable the module reads, in a stable order, with its local (non-secret) value when known. */
  variables: Array<{ key: string; localValue?: string }>;
  network: string;
}

async function readText(fs: FileSystem, path: string): Promise<string | undefined> {
  if (!(await fs.exists(path)) || (await fs.isDirectory(path))) return undefined;
  return (await fs.readFile(path)).toString('utf8');
}

async function databaseFromLocalFiles(fs: FileSystem, workspace: string, folder: string, dir: string): Promise<DatabaseKind | undefined> {
  // A fresh clone has no workspace/local/.env (it holds the local password and is git-ignored): `workspace add`
  // needs it, a deployment does not, so the database is then read from the compose file's image alone.
  if (!(await fs.exists(join(dir, 'workspace', 'local', '.env')))) {
    const compose = (await readText(fs, join(dir, 'workspace', 'local', 'docker-compose.yml'))) ?? '';
    if (/^\s*image:\s*["']?(\S+\/)?postgres(ql)?(:|["']?\s*$)/m.test(compose)) return DATABASES.postgresql;
    if (/^\s*image:\s*["']?(\S+\/)?(mysql|mariadb)(:|["']?\s*$)/m.test(compose)) return DATABASES.mysql;
    return undefined;
  }
  const config = await readModuleConfig(new ChangeSet(fs), workspacePaths(workspace), folder);
  return config.database?.kind;
}

/** NETWORK_NAME of the workspace's shared service, as its compose file uses it (default workspace-net). */
export async function readNetworkName(fs: FileSystem, workspace: string): Promise<string> {
  const env = await readText(fs, join(workspace, 'services', 'dagster', '.env'));
  const value = env === undefined ? undefined : readEnvEntries(env).get('NETWORK_NAME')?.value;
  return value && /^[A-Za-z0-9_.-]+$/.test(value) ? value : 'workspace-net';
}

export async function detectModule(fs: FileSystem, workspace: string, input: string): Promise<DetectedModule> {
  const paths = workspacePaths(workspace);
  const tree = new ChangeSet(fs);
  const { folder, names } = await findModuleFolder(tree, paths, input);
  const dir = join(paths.projectsDir, folder);
  const localEnvText = (await readText(fs, join(dir, 'workspace', 'local', '.env'))) ?? '';
  const exampleText = (await readText(fs, join(dir, '.env.example'))) ?? '';
  const local = readEnvEntries(localEnvText);

  let kind: DatabaseKind | undefined;
  let databaseSource: string;
  // The record `dmb new` writes says which database the module was made with; hand-made modules have none.
  const record = await readModuleRecord(tree, dir);
  if (record) {
    kind = databaseKind(record.answers.database);
    databaseSource = RECORD_FILE;
  } else if (await fs.isDirectory(join(dir, 'workspace', 'local'))) {
    kind = await databaseFromLocalFiles(fs, workspace, folder, dir);
    databaseSource = 'workspace/local/docker-compose.yml';
  } else {
    kind = undefined;
    databaseSource = `none found (no ${RECORD_FILE}, no workspace/local/)`;
  }

  const envNames = databaseEnvNames(names.upper);
  const database = kind
    ? {
        kind,
        host: local.get(envNames.host)?.value || databaseServiceName(names.snake, kind),
        port: containerPort(local.get(envNames.port)?.value, kind),
        name: local.get(envNames.name)?.value || databaseName(names.snake),
        user: local.get(envNames.user)?.value || databaseUser(names.snake),
      }
    : undefined;

  const keys = new Map<string, string | undefined>([['DAGSTER_STORAGE_PATH', '/tmp/dagster_storage']]);
  if (database) {
    keys.set(envNames.host, database.host);
    keys.set(envNames.port, String(database.port));
    keys.set(envNames.user, database.user);
    keys.set(envNames.password, undefined);
    keys.set(envNames.name, database.name);
  }
  // The module's own variables (an API key, a config path), from its local .env and .env.example.
  for (const [key, entry] of [...readEnvEntries(exampleText), ...local]) {
    if (key === envNames.hostPort || keys.has(key)) continue;
    if (!database && Object.values(envNames).includes(key)) continue;
    keys.set(key, local.get(key)?.value ?? (entry.value || undefined));
  }
  return {
    folder,
    dir,
    names,
    database,
    databaseSource,
    variables: [...keys].map(([key, localValue]) => ({ key, localValue })),
    network: await readNetworkName(fs, workspace),
  };
}

/** The port inside the network: workspace/local/.env's *_DB_PORT is the container port; else the kind's default. */
function containerPort(value: string | undefined, kind: DatabaseKind): number {
  const port = Number(value);
  return value !== undefined && /^\d+$/.test(value) && port >= 1 && port <= 65535 ? port : kind.containerPort;
}
