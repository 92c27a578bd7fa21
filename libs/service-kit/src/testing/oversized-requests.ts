// Test support (exported as `@headstart/service-kit/testing`): requests with one field over its limit,
// for every string and repeated field of a method's request type, and a raw call that reports the
// status whatever the method's kind. Used by each service's bounded-inputs tests.
import * as grpc from '@grpc/grpc-js';
import { boundedFieldsOf, type BoundedField } from '../request-bounds';

export interface OversizedRequest {
  /** The field the server must name, e.g. `spec.model_name`, `tags`, `tags[0]`, `metadata key`. */
  field: string;
  /** What is oversized: a string's `chars` or a list's or map's `items`. */
  what: 'chars' | 'items';
  /** A partial message: complete it with the request type's `fromPartial` before sending. */
  request: Record<string, unknown>;
}

export interface OversizedOptions {
  /** Length of the oversized strings. @default 300_000 */
  chars?: number;
  /** Elements of the oversized lists and maps. @default 100_000 */
  items?: number;
  /** How deep to follow nested messages. @default 4 */
  depth?: number;
}

type Place = (value: unknown) => Record<string, unknown>;

/** Puts `value` in `field` of `message` (a copy), wrapping it in its oneof union when it is a member. */
function put(message: Record<string, unknown>, field: BoundedField, value: unknown): Record<string, unknown> {
  const wrapped =
    field.oneofCase === undefined ? value : { $case: field.oneofCase, [field.oneofCase]: value };
  return { ...message, [field.property]: wrapped };
}

function existing(message: Record<string, unknown>, field: BoundedField): Record<string, unknown> {
  const value = message[field.property] as Record<string, unknown> | undefined;
  if (field.oneofCase === undefined) return value ?? {};
  return value?.['$case'] === field.oneofCase ? (value[field.oneofCase] as Record<string, unknown>) : {};
}

function emptyElement(field: BoundedField): unknown {
  if (field.chars !== undefined) return 'a';
  return field.nested !== undefined ? {} : 0;
}

function collect(
  fields: readonly BoundedField[],
  message: Record<string, unknown>,
  place: Place,
  prefix: string,
  options: Required<OversizedOptions>,
  depth: number,
  out: OversizedRequest[],
): void {
  const long = 'x'.repeat(options.chars);
  for (const field of fields) {
    const path = prefix + field.name;
    const set = (value: unknown) => place(put(message, field, value));
    const add = (suffix: string, what: OversizedRequest['what'], value: unknown) =>
      out.push({ field: path + suffix, what, request: set(value) });
    if (field.kind === 'string') add('', 'chars', long);
    else if (field.kind === 'message' && depth > 0) {
      const inner = existing(message, field);
      collect(field.nested ?? [], inner, (v) => set(v), `${path}.`, options, depth - 1, out);
    } else if (field.kind === 'list') {
      add(
        '',
        'items',
        Array.from({ length: options.items }, () => emptyElement(field)),
      );
      if (field.chars !== undefined) add('[0]', 'chars', [long]);
      if (field.nested !== undefined && depth > 0) {
        collect(field.nested, {}, (v) => set([v]), `${path}[0].`, options, depth - 1, out);
      }
    } else if (field.kind === 'map') {
      const entries = Array.from({ length: options.items }, (_, i) => [`k${i}`, emptyElement(field)]);
      add('', 'items', Object.fromEntries(entries));
      if (field.keyChars !== undefined) add(' key', 'chars', { [long]: emptyElement(field) });
      if (field.chars !== undefined) add('["k"]', 'chars', { k: long });
    }
  }
}

/**
 * One request per string, repeated and map field reachable in the request type of `methodPath`, with
 * that field (alone) over its limit; each starts from `base`. Empty for a method the kit does not know.
 */
export function oversizedRequests(
  methodPath: string,
  base: Record<string, unknown> = {},
  options: OversizedOptions = {},
): OversizedRequest[] {
  const resolved = { chars: 300_000, items: 100_000, depth: 4, ...options };
  const out: OversizedRequest[] = [];
  collect(
    boundedFieldsOf(methodPath) ?? [],
    base,
    (v) => v as Record<string, unknown>,
    '',
    resolved,
    resolved.depth,
    out,
  );
  return out;
}

export interface CallStatus {
  code: grpc.status;
  details: string;
  /** Size of the trailing metadata as received (keys and values). */
  metadataBytes: number;
}

/**
 * Calls `method` (an entry of a generated `...Service` definition) once with `request` (a client
 * stream sends it as its only message) and resolves with the status, OK included.
 */
export function callForStatus(
  client: grpc.Client,
  method: grpc.MethodDefinition<unknown, unknown>,
  request: unknown,
  deadlineMs = 10_000,
): Promise<CallStatus> {
  const options = { deadline: Date.now() + deadlineMs };
  return new Promise((resolve) => {
    const done = (status: grpc.StatusObject): void => {
      let metadataBytes = 0;
      for (const [key, values] of Object.entries(status.metadata.toHttp2Headers())) {
        metadataBytes += key.length + String(values).length;
      }
      resolve({ code: status.code, details: status.details, metadataBytes });
    };
    const ignore = (): void => undefined;
    const { path, requestSerialize: ser, responseDeserialize: de } = method;
    const meta = new grpc.Metadata();
    if (method.requestStream) {
      const call = client.makeClientStreamRequest(path, ser, de, meta, options, ignore);
      call.on('status', done);
      if (method.responseStream) throw new Error(`${path}: bidi streams are not supported`);
      call.write(request);
      call.end();
    } else if (method.responseStream) {
      const call = client.makeServerStreamRequest(path, ser, de, request, meta, options);
      call.on('data', ignore);
      call.on('error', ignore);
      call.on('status', done);
    } else {
      client.makeUnaryRequest(path, ser, de, request, meta, options, ignore).on('status', done);
    }
  });
}

/** A ts-proto message type: enough to complete a partial request. */
export interface RequestType {
  fromPartial(partial: never): unknown;
}

export interface OversizedCall {
  /** The method's name in the definition, e.g. `getModel`. */
  method: string;
  /** The field the server must name. */
  field: string;
  what: OversizedRequest['what'];
  /** Sends the request and resolves with the status. */
  call(client: grpc.Client): Promise<CallStatus>;
}

/**
 * {@link oversizedRequests} for several methods of one generated service definition: `methods` maps a
 * method name to its request type and the valid request the cases start from.
 */
export function oversizedCalls(
  definition: grpc.ServiceDefinition,
  methods: Record<string, { type: RequestType; base?: Record<string, unknown> }>,
  options: OversizedOptions = {},
): OversizedCall[] {
  return Object.entries(methods).flatMap(([name, { type, base }]) => {
    const method = definition[name] as grpc.MethodDefinition<unknown, unknown> | undefined;
    if (method === undefined) throw new Error(`no method ${name} in the service definition`);
    return oversizedRequests(method.path, base, options).map(({ field, what, request }) => ({
      method: name,
      field,
      what,
      call: (client: grpc.Client) => callForStatus(client, method, type.fromPartial(request as never)),
    }));
  });
}
