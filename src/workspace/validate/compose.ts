import { visit } from 'yaml';
import { checkComposeSchema } from '../../formats/compose-schema.js';
import { findVariableRefs } from '../../formats/interpolation.js';
import { lineNumberAt } from '../../formats/text-lines.js';
import type { Check, Found } from './finding.js';
import { composeLineOf } from './compose-lines.js';
import type { WorkspaceView } from './workspace-view.js';

/** docker-compose.yml on its own: variables, networks and depends_on targets, the compose schema. */
export const COMPOSE_CHECKS: ReadonlyArray<Check<WorkspaceView>> = [
  {
    id: 'compose-variable',
    run(view) {
      const { composeDoc, text, env, shown } = view;
      if (!composeDoc || text.compose === undefined) return [];
      const composeText = text.compose;
      const found: Found[] = [];
      const reported = new Set<string>();
      visit(composeDoc, {
        Scalar(_key, node) {
          if (typeof node.value !== 'string') return;
          for (const ref of findVariableRefs(node.value)) {
            if (ref.hasDefault || env.has(ref.name)) continue;
            const line = lineNumberAt(composeText, node.range?.[0] ?? 0);
            if (reported.has(`${ref.name}:${line}`)) continue;
            reported.add(`${ref.name}:${line}`);
            found.push({ file: shown.compose, line, message: `\${${ref.name}} is not defined in ${shown.env} and has no default.`, fix: `Add ${ref.name}=... to ${shown.env}, or write \${${ref.name}:-default}.` });
          }
        },
      });
      return found;
    },
  },
  {
    id: 'compose-references',
    run(view) {
      if (!view.composeDoc) return [];
      const { services, shown } = view;
      const networks = new Set(view.networks);
      const found: Found[] = [];
      for (const [name, service] of Object.entries(services)) {
        const line = composeLineOf(view, ['services', name]);
        const used = Array.isArray(service?.networks) ? service.networks.map(String) : Object.keys((service?.networks as object) ?? {});
        for (const network of used) {
          if (network !== 'default' && !networks.has(network)) found.push({ file: shown.compose, line, message: `service "${name}" joins network "${network}", which is not defined under networks:.`, fix: `Define "${network}" under the top-level networks: or use dagster_network.` });
        }
        const dependsOn = service?.depends_on;
        const targets = Array.isArray(dependsOn) ? dependsOn.map(String) : Object.keys((dependsOn as object) ?? {});
        for (const target of targets) {
          if (!(target in services)) found.push({ file: shown.compose, line, message: `service "${name}" depends on "${target}", which is not defined.`, fix: `Remove "${target}" from its depends_on, or define the service.` });
        }
      }
      return found;
    },
  },
  {
    id: 'compose-schema',
    async run(view) {
      if (!view.composeDoc) return [];
      return (await checkComposeSchema(view.compose)).map((problem) => ({
        file: view.shown.compose,
        line: composeLineOf(view, problem.path),
        message: `does not conform to the compose specification: ${problem.message}.`,
        fix: 'Fix the key (see https://github.com/compose-spec/compose-spec/blob/main/spec.md).',
      }));
    },
  },
];
