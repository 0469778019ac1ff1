import { createHash } from 'node:crypto';

/** The database addons: everything `new`, `workspace add` and `dev` need to know about each kind. */
export interface DatabaseKind {
  id: 'postgresql' | 'mysql';
  label: string;
  /** Template set rendered into the module on top of base/. */
  templateSet: string;
  image: string;
  /** The port inside the compose network: what code connects to, next to the service name. */
  containerPort: number;
  /** The first port published on the host; later modules take the next free one. */
  firstHostPort: number;
  /** Host ports of this kind live in [firstHostPort, lastHostPort]. */
  lastHostPort: number;
  /** Service name suffix: <module>_postgres, <module>_mysql. */
  serviceSuffix: string;
  /** Folder under ${DATA_PATH}/ that holds its data. */
  dataDir: string;
  pythonPackages: string[];
}

export const DATABASES: Record<DatabaseKind['id'], DatabaseKind> = {
  postgresql: {
    id: 'postgresql',
    label: 'PostgreSQL',
    templateSet: 'addons/postgresql',
    image: 'postgres:15',
    containerPort: 5432,
    firstHostPort: 5438,
    lastHostPort: 5999,
    serviceSuffix: 'postgres',
    dataDir: 'postgres',
    pythonPackages: ['psycopg[binary]>=3.2,<4'],
  },
  mysql: {
    id: 'mysql',
    label: 'MySQL',
    templateSet: 'addons/mysql',
    image: 'mysql:8',
    containerPort: 3306,
    firstHostPort: 3307,
    lastHostPort: 3999,
    serviceSuffix: 'mysql',
    dataDir: 'mysql',
    // [rsa] brings `cryptography`: mysql:8's caching_sha2_password needs it for the full handshake without TLS.
    pythonPackages: ['pymysql[rsa]>=1.1,<2'],
  },
};

export const DATABASE_CHOICES = ['postgresql', 'mysql', 'none'] as const;
export type DatabaseChoice = (typeof DATABASE_CHOICES)[number];

export function databaseKind(choice: DatabaseChoice): DatabaseKind | undefined {
  return choice === 'none' ? undefined : DATABASES[choice];
}

/**
 * The environment variables a module's database resource reads. Inside the compose network the code
 * connects to HOST (the service name) on PORT (the container port); HOST_PORT is what compose publishes
 * on the host, so host-side tools (`dmb dev`, a SQL client) use 127.0.0.1:HOST_PORT instead.
 */
export function databaseEnvNames(upper: string) {
  return {
    host: `${upper}_DB_HOST`,
    port: `${upper}_DB_PORT`,
    hostPort: `${upper}_DB_HOST_PORT`,
    user: `${upper}_DB_USER`,
    password: `${upper}_DB_PASSWORD`,
    name: `${upper}_DB_NAME`,
  };
}

/** A DNS label (the compose service name is the database's host name) holds at most 63 characters. */
const MAX_HOST_NAME = 63;

/**
 * Compose service (and container) name of a module's database: <module_snake>_<suffix>, within a DNS label.
 * A name too long for that is cut and given 6 hex digits of its sha256, so two long names that share
 * their first 50-odd characters still get different services (they share one compose file).
 */
export function databaseServiceName(snake: string, kind: DatabaseKind): string {
  const room = MAX_HOST_NAME - kind.serviceSuffix.length - 1;
  if (snake.length <= room) return `${snake}_${kind.serviceSuffix}`;
  const digest = createHash('sha256').update(snake).digest('hex').slice(0, 6);
  return `${snake.slice(0, room - digest.length - 1).replace(/_+$/, '')}_${digest}_${kind.serviceSuffix}`;
}

/** The compose network key every service joins; its real name comes from ${NETWORK_NAME}. */
export const COMPOSE_NETWORK_KEY = 'dagster_network';
/** Where the IO managers' storage volume is mounted in every container that executes runs. */
export const CONTAINER_STORAGE_PATH = '/tmp/dagster_storage';
/** Where projects/ is mounted in the Dagster containers. */
export const CONTAINER_PROJECTS_PATH = '/workspace/projects';
