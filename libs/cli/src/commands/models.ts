import type { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { formatKind, formatTime, json, list } from '../format';
import type { Output } from '../output';

export interface ListModelsOptions {
  kind?: string;
  prefix?: string;
  tag?: string;
}

function aliasSummary(model: registry.Model): string {
  return list(model.aliases.map((a) => `${a.name}→${a.version}${a.protected ? '*' : ''}`));
}

/** `headstart models ls`: every model matching the filter, across all pages. */
export async function listModels(
  client: RegistryClient,
  out: Output,
  options: ListModelsOptions,
): Promise<void> {
  const models: registry.Model[] = [];
  const filter = {
    ...(options.kind === undefined ? {} : { kind: options.kind }),
    ...(options.prefix === undefined ? {} : { namePrefix: options.prefix }),
    ...(options.tag === undefined ? {} : { tag: options.tag }),
  };
  for await (const model of client.listModels(filter)) models.push(model);
  out.result(
    () => ({ models: models.map(json.model) }),
    () =>
      models.length === 0
        ? 'no models match\n'
        : out.table(
            [
              { header: 'name' },
              { header: 'kind' },
              { header: 'latest', align: 'right' },
              { header: 'versions', align: 'right' },
              { header: 'aliases' },
              { header: 'tags' },
              { header: 'created' },
            ],
            models.map((m) => [
              m.name,
              formatKind(m.kind),
              m.latestVersion === 0 ? '-' : String(m.latestVersion),
              String(m.versionCount),
              aliasSummary(m),
              list(m.tags),
              formatTime(m.createdAt),
            ]),
          ),
  );
}
