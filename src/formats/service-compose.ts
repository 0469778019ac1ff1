/**
 * The shared Dagster service's own compose services, as templates/service/docker-compose.yml.template
 * defines them (tests/unit/service-init.test.ts holds the two together). The one list: module names,
 * the compose editor and validate all read it from here.
 */
export const SERVICE_COMPOSE_NAMES = ['dagster_postgresql', 'dagster_webserver', 'dagster_daemon'] as const;
export type ServiceComposeName = (typeof SERVICE_COMPOSE_NAMES)[number];

/** The shared service's Dagster processes: every module database goes into their depends_on. */
export const DAGSTER_DEPENDENT_SERVICES = ['dagster_webserver', 'dagster_daemon'] as const satisfies readonly ServiceComposeName[];
