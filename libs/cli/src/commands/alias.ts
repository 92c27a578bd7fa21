import { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { parseVersionNumber } from '../args';
import { formatTime, json } from '../format';
import type { Output } from '../output';

export interface SetAliasOptions {
  protect?: boolean;
  unprotect?: boolean;
  /** Move (or unprotect) a protected alias. */
  force?: boolean;
  reason?: string;
}

function describeAlias(alias: registry.Alias): string {
  return `${alias.modelName}@${alias.name} → ${alias.modelName}:${alias.version}${alias.protected ? ' (protected)' : ''}\n`;
}

/** `headstart alias set NAME ALIAS VERSION`. */
export async function setAlias(
  client: RegistryClient,
  out: Output,
  name: string,
  alias: string,
  version: string,
  options: SetAliasOptions,
): Promise<void> {
  const protection = options.protect === true ? true : options.unprotect === true ? false : undefined;
  const result = await client.setAlias({
    modelName: name,
    alias,
    version: parseVersionNumber(version),
    ...(protection === undefined ? {} : { protected: protection }),
    overrideProtection: options.force === true,
    ...(options.reason === undefined ? {} : { reason: options.reason }),
  });
  out.result(
    () => ({ alias: json.alias(result) }),
    () => describeAlias(result),
  );
}

export interface DeleteAliasOptions {
  force?: boolean;
  reason?: string;
}

/** `headstart alias rm NAME ALIAS`. */
export async function deleteAlias(
  client: RegistryClient,
  out: Output,
  name: string,
  alias: string,
  options: DeleteAliasOptions,
): Promise<void> {
  await client.deleteAlias({
    modelName: name,
    alias,
    overrideProtection: options.force === true,
    ...(options.reason === undefined ? {} : { reason: options.reason }),
  });
  out.result(
    () => ({ deleted: `${name}@${alias}` }),
    () => `deleted alias ${name}@${alias}\n`,
  );
}

function actionName(action: registry.AliasAction): string {
  switch (action) {
    case registry.AliasAction.ALIAS_ACTION_SET:
      return 'set';
    case registry.AliasAction.ALIAS_ACTION_DELETE:
      return 'delete';
    default:
      return 'unknown';
  }
}

const versionCell = (version: number): string => (version === 0 ? '-' : String(version));

/** `headstart alias history NAME [ALIAS]`: every move, newest first. */
export async function aliasHistory(
  client: RegistryClient,
  out: Output,
  name: string,
  alias: string | undefined,
): Promise<void> {
  const events = await client.getAliasHistory(name, alias);
  out.result(
    () => ({ events: events.map(json.aliasEvent) }),
    () =>
      events.length === 0
        ? `no alias history for ${alias === undefined ? name : `${name}@${alias}`}\n`
        : out.table(
            [
              { header: 'seq', align: 'right' },
              { header: 'at' },
              { header: 'alias' },
              { header: 'action' },
              { header: 'from', align: 'right' },
              { header: 'to', align: 'right' },
              { header: 'protected' },
              { header: 'actor' },
              { header: 'reason' },
            ],
            events.map((e) => [
              String(e.sequence),
              formatTime(e.at),
              e.alias,
              actionName(e.action),
              versionCell(e.fromVersion),
              versionCell(e.toVersion),
              e.protected ? 'yes' : 'no',
              e.actor === '' ? '-' : e.actor,
              e.reason === '' ? '-' : e.reason,
            ]),
          ),
  );
}
