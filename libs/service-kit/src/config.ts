/**
 * Typed configuration from environment variables. A service declares every variable once (name, type,
 * default, description); `readConfig` validates them all at start and reports every bad one in a single
 * error, and `describeConfig` renders the same declaration as the README's configuration table.
 */

interface VarBase {
  /** Environment variable name, e.g. `HEADSTART_REGISTRY_PORT`. */
  env: string;
  /** One sentence for the configuration table. */
  description: string;
  /** When there is no default: true (the default) makes a missing variable an error. */
  required?: boolean;
  /** Hide the value in `describeConfig` defaults and error messages (tokens, passwords). */
  secret?: boolean;
}

export interface StringVar extends VarBase {
  type: 'string';
  default?: string;
  /** Reject values that do not match. */
  pattern?: RegExp;
}
export interface IntVar extends VarBase {
  type: 'int';
  default?: number;
  min?: number;
  max?: number;
}
export interface NumberVar extends VarBase {
  type: 'number';
  default?: number;
  min?: number;
  max?: number;
}
export interface PortVar extends VarBase {
  type: 'port';
  default?: number;
}
export interface BooleanVar extends VarBase {
  type: 'boolean';
  default?: boolean;
}
export interface EnumVar<V extends string = string> extends VarBase {
  type: 'enum';
  values: readonly V[];
  default?: V;
}
export interface UrlVar extends VarBase {
  type: 'url';
  default?: string;
  /** Allowed schemes without the colon, e.g. `['nats', 'tls']`. @default any */
  protocols?: readonly string[];
}
/** `host:port`, as gRPC targets are written (`localhost:50051`, `[::1]:50051`). */
export interface AddressVar extends VarBase {
  type: 'address';
  default?: string;
}

export type VarSpec = StringVar | IntVar | NumberVar | PortVar | BooleanVar | EnumVar | UrlVar | AddressVar;

/** Config field name → variable declaration. */
export type ConfigSpec = Record<string, VarSpec>;

type BaseValue<V extends VarSpec> =
  V extends EnumVar<infer E>
    ? E
    : V extends BooleanVar
      ? boolean
      : V extends IntVar | NumberVar | PortVar
        ? number
        : string;

type FieldValue<V extends VarSpec> = V extends { default: unknown }
  ? BaseValue<V>
  : V extends { required: false }
    ? BaseValue<V> | undefined
    : BaseValue<V>;

/** The object `readConfig` returns for a spec. */
export type ConfigValues<S extends ConfigSpec> = { -readonly [K in keyof S]: FieldValue<S[K]> };

/** Thrown by `readConfig`; `problems` has one line per bad variable, the message lists them all. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Parsed = { ok: true; value: unknown } | { ok: false; why: string };

function parseInteger(raw: string): number | undefined {
  return /^[+-]?\d+$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : undefined;
}

function inRange(value: number, spec: { min?: number; max?: number }): string | undefined {
  if (spec.min !== undefined && value < spec.min) return `below the minimum ${spec.min}`;
  if (spec.max !== undefined && value > spec.max) return `above the maximum ${spec.max}`;
  return undefined;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

function parseValue(spec: VarSpec, raw: string): Parsed {
  const shown = spec.secret ? 'value' : `'${raw}'`;
  switch (spec.type) {
    case 'string':
      return spec.pattern && !spec.pattern.test(raw)
        ? { ok: false, why: `${shown} does not match ${String(spec.pattern)}` }
        : { ok: true, value: raw };
    case 'int': {
      const value = parseInteger(raw);
      if (value === undefined) return { ok: false, why: `${shown} is not an integer` };
      const range = inRange(value, spec);
      return range ? { ok: false, why: `${shown} is ${range}` } : { ok: true, value };
    }
    case 'number': {
      const value = raw.trim() === '' ? NaN : Number(raw);
      if (!Number.isFinite(value)) return { ok: false, why: `${shown} is not a number` };
      const range = inRange(value, spec);
      return range ? { ok: false, why: `${shown} is ${range}` } : { ok: true, value };
    }
    case 'port': {
      const value = parseInteger(raw);
      return value === undefined || value < 0 || value > 65535
        ? { ok: false, why: `${shown} is not a port (0-65535)` }
        : { ok: true, value };
    }
    case 'boolean': {
      const lower = raw.toLowerCase();
      if (TRUE.has(lower)) return { ok: true, value: true };
      if (FALSE.has(lower)) return { ok: true, value: false };
      return { ok: false, why: `${shown} is not a boolean (true/false, 1/0, yes/no, on/off)` };
    }
    case 'enum':
      return spec.values.includes(raw)
        ? { ok: true, value: raw }
        : { ok: false, why: `${shown} is not one of ${spec.values.join(', ')}` };
    case 'url':
      return parseUrl(spec, raw, shown);
    case 'address':
      return parseAddress(raw)
        ? { ok: true, value: raw }
        : { ok: false, why: `${shown} is not a host:port address` };
  }
}

function parseUrl(spec: UrlVar, raw: string, shown: string): Parsed {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, why: `${shown} is not a URL` };
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (spec.protocols && !spec.protocols.includes(scheme)) {
    return { ok: false, why: `${shown} has scheme '${scheme}', expected ${spec.protocols.join(' or ')}` };
  }
  return { ok: true, value: raw };
}

function parseAddress(raw: string): boolean {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d+)$/.exec(raw);
  const port = match?.[2] === undefined ? undefined : parseInteger(match[2]);
  return port !== undefined && port >= 0 && port <= 65535;
}

/**
 * Reads every variable of `spec` from `env` (pass `process.env`; only a service's main.ts does).
 * An empty variable counts as unset. Throws one ConfigError naming every bad variable and why.
 *
 * Without a type argument the result type is inferred from the spec; `readConfig<MyConfig>(spec, env)`
 * asserts a hand-written type instead.
 */
export function readConfig<T = never, const S extends ConfigSpec = ConfigSpec>(
  spec: S,
  env: NodeJS.ProcessEnv,
): [T] extends [never] ? ConfigValues<S> : T {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [field, varSpec] of Object.entries(spec)) {
    const raw = env[varSpec.env];
    if (raw === undefined || raw === '') {
      if (varSpec.default !== undefined) values[field] = varSpec.default;
      else if (varSpec.required === false) values[field] = undefined;
      else problems.push(`${varSpec.env}: required but not set (${varSpec.description})`);
      continue;
    }
    const parsed = parseValue(varSpec, raw);
    if (parsed.ok) values[field] = parsed.value;
    else problems.push(`${varSpec.env}: ${parsed.why}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as [T] extends [never] ? ConfigValues<S> : T;
}

/** Header of the table `describeConfig` renders rows for. */
export const CONFIG_TABLE_HEADER = '| Variable | Type | Default | Description |\n| --- | --- | --- | --- |';

function typeLabel(spec: VarSpec): string {
  switch (spec.type) {
    case 'enum':
      return spec.values.map((v) => `\`${v}\``).join(' \\| ');
    case 'int':
    case 'number':
      return spec.min === undefined && spec.max === undefined
        ? spec.type
        : `${spec.type} (${spec.min ?? '-∞'}..${spec.max ?? '∞'})`;
    case 'url':
      return spec.protocols ? `url (${spec.protocols.join(', ')})` : 'url';
    default:
      return spec.type;
  }
}

function defaultLabel(spec: VarSpec): string {
  if (spec.default === undefined) return spec.required === false ? '(unset)' : '**required**';
  if (spec.secret) return '(hidden)';
  return `\`${String(spec.default)}\``;
}

/** One markdown table row per variable (no header: see CONFIG_TABLE_HEADER), joined by newlines. */
export function describeConfig(spec: ConfigSpec): string {
  return Object.values(spec)
    .map(
      (v) =>
        `| \`${v.env}\` | ${typeLabel(v)} | ${defaultLabel(v)} | ${v.description.replace(/\|/g, '\\|')} |`,
    )
    .join('\n');
}
