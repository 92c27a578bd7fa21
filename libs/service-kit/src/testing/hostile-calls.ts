// Test support (exported as `@headstart/service-kit/testing`): a property-based bad-input suite over every
// RPC of a service, driven by the Headstart descriptor set, so a new RPC or field is covered without new
// test code. For each method, fast-check generates request messages from the request type's descriptor
// with hostile values (huge, unicode and control-character strings, references the caller knows to be
// missing or deleted, oversized repeated fields and maps, out-of-range and negative numbers, 64-bit values
// beyond 2^53, unknown enum values, empty fields), sends them as raw protobuf bytes (so values the
// generated TypeScript types cannot hold reach the server), sometimes with a 1 ms deadline or a cancel
// mid-stream, and checks:
//   - every answer is a specific status: never UNKNOWN or INTERNAL, and never the deadline passing
//     without a status (a server stream that delivered a message is live and is cancelled instead);
//   - status messages and trailers stay small (a few KB);
//   - the service stays up and healthy: the caller's snapshot (cheap calls) after every case, and
//     grpc.health.v1 Check after every method;
//   - a call the service refused changed nothing: the caller's snapshot of its state is equal before and
//     after.
// Seeded (HEADSTART_PROPERTY_SEED), and a failure names the seed, the method's seed and the path, so
// `HEADSTART_PROPERTY_SEED=<seed>` replays it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import type * as Protobuf from '@bufbuild/protobuf';
import type * as ProtobufWkt from '@bufbuild/protobuf/wkt';
import type * as ProtoPackage from '@headstart/proto';
import * as fc from 'fast-check';
import { charLimitOf, INPUT_LIMITS, itemLimitOf } from '../input-limits';

type Desc = Protobuf.DescMessage;
type Field = Protobuf.DescField;

/** Cases per service when HEADSTART_PROPERTY_RUNS is unset (the CI size). */
export const DEFAULT_PROPERTY_RUNS = 800;

/** Status codes that are never an acceptable answer to a request, however bad. */
const VAGUE = new Set([grpc.status.UNKNOWN, grpc.status.INTERNAL]);

/** Cancelled or timed-out calls on one connection before the suite opens a new one (see runHostileSuite). */
const ABANDONED_PER_CONNECTION = 400;

/** Largest status message and trailing metadata a case may get back. */
const MAX_DETAILS_BYTES = 4096;
const MAX_METADATA_BYTES = 8192;

let registry: Protobuf.FileRegistry | undefined;
let protobuf: typeof Protobuf | undefined;

function load(): { registry: Protobuf.FileRegistry; protobuf: typeof Protobuf } {
  if (registry === undefined || protobuf === undefined) {
    const req = createRequire(__filename);
    const { descriptorSetPath } = req('@headstart/proto') as typeof ProtoPackage;
    protobuf = req('@bufbuild/protobuf') as typeof Protobuf;
    const { FileDescriptorSetSchema } = req('@bufbuild/protobuf/wkt') as typeof ProtobufWkt;
    registry = protobuf.createFileRegistry(
      protobuf.fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSetPath)),
    );
  }
  return { registry, protobuf };
}

/** What the generators may use besides hostile values: things that exist, or existed, in the service. */
export interface HostileContext {
  /** Strings the service knows or knew: model names, aliases, ids of jobs, runs, triggers (also deleted). */
  strings: readonly string[];
  /** Numbers that mean something: existing and deleted version numbers. */
  numbers?: readonly number[];
}

// ScalarType values of @bufbuild/protobuf (a const enum).
const S = {
  DOUBLE: 1,
  FLOAT: 2,
  INT64: 3,
  UINT64: 4,
  INT32: 5,
  FIXED64: 6,
  FIXED32: 7,
  BOOL: 8,
  STRING: 9,
  BYTES: 12,
  UINT32: 13,
  SFIXED32: 15,
  SFIXED64: 16,
  SINT32: 17,
  SINT64: 18,
} as const;

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\n\r\t\u001b[31m',
  '../../../etc/passwd',
  '%s%n%x',
  "'; DROP TABLE models; --",
  '\u202eevil',
  '\ud800',
  'é'.normalize('NFD'),
  '💥🔥',
  'ＡＢＣ',
  'name with spaces',
  'UPPER',
  '-leading-dash',
  'a'.repeat(64),
  '0',
  '-1',
  'latest',
  'null',
];

function stringArb(field: Field, ctx: HostileContext): fc.Arbitrary<string> {
  const limit = field.fieldKind === 'map' ? INPUT_LIMITS.mapValueChars : charLimitOf(field.name);
  const control = fc
    .array(fc.integer({ min: 0, max: 0x1f }), { minLength: 1, maxLength: 8 })
    .map((codes) => String.fromCharCode(...codes));
  const arbs: fc.WeightedArbitrary<string>[] = [
    { weight: 3, arbitrary: fc.string({ maxLength: 24 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
    { weight: 1, arbitrary: control },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    // At the limit, just over it, and far over it (the prober's 300,000 characters).
    { weight: 1, arbitrary: fc.constantFrom(limit, limit + 1, 300_000).map((n) => 'x'.repeat(n)) },
  ];
  if (ctx.strings.length > 0) {
    const known = fc.constantFrom(...ctx.strings);
    arbs.push({ weight: 10, arbitrary: known });
    // A known name with something appended or a case change: near misses.
    arbs.push({
      weight: 1,
      arbitrary: fc
        .tuple(known, fc.constantFrom('x', ' ', '\u0000', ':1', '@latest'))
        .map(([s, suffix]) => s + suffix),
    });
    arbs.push({ weight: 1, arbitrary: known.map((s) => s.toUpperCase()) });
  }
  return fc.oneof(...arbs);
}

function intArb(min: number, max: number, ctx: HostileContext): fc.Arbitrary<number> {
  const edges = [0, 1, 2, 3, -1, -2, min, max, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 1000, 1001, 4096].filter(
    (n) => n >= min && n <= max,
  );
  const known = (ctx.numbers ?? []).filter((n) => n >= min && n <= max);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...edges, ...known) },
    { weight: 1, arbitrary: fc.integer({ min, max }) },
  );
}

function bigArb(min: bigint, max: bigint): fc.Arbitrary<bigint> {
  const edges = [
    0n,
    1n,
    -1n,
    2n ** 53n - 1n,
    2n ** 53n,
    2n ** 53n + 1n,
    2n ** 63n - 1n,
    -(2n ** 63n),
    2n ** 64n - 1n,
  ];
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...edges.filter((n) => n >= min && n <= max)) },
    { weight: 1, arbitrary: fc.bigInt({ min, max }) },
    { weight: 1, arbitrary: fc.bigInt({ min: min > -1000n ? min : -1000n, max: 100_000n }) },
  );
}

const DOUBLES = [0, -0, 1, -1, 0.5, Number.NaN, Infinity, -Infinity, 1e308, -1e308, 5e-324, 2 ** 53 + 2];
const FLOATS = [0, -0, 1, -1, 0.5, Number.NaN, Infinity, -Infinity, 3.4e38, -3.4e38];

function scalarArb(field: Field, scalar: number, ctx: HostileContext): fc.Arbitrary<unknown> {
  switch (scalar) {
    case S.STRING:
      return stringArb(field, ctx);
    case S.BOOL:
      return fc.boolean();
    case S.BYTES:
      return fc.oneof(
        { weight: 4, arbitrary: fc.uint8Array({ maxLength: 64 }) },
        { weight: 1, arbitrary: fc.constantFrom(64 * 1024, 1024 * 1024).map((n) => new Uint8Array(n)) },
      );
    case S.DOUBLE:
      return fc.oneof(fc.constantFrom(...DOUBLES), fc.double());
    case S.FLOAT:
      return fc.oneof(fc.constantFrom(...FLOATS), fc.float());
    case S.INT32:
    case S.SFIXED32:
    case S.SINT32:
      return intArb(-(2 ** 31), 2 ** 31 - 1, ctx);
    case S.UINT32:
    case S.FIXED32:
      return intArb(0, 2 ** 32 - 1, ctx);
    case S.UINT64:
    case S.FIXED64:
      return bigArb(0n, 2n ** 64n - 1n);
    default: // INT64, SFIXED64, SINT64
      return bigArb(-(2n ** 63n), 2n ** 63n - 1n);
  }
}

function enumArb(desc: Protobuf.DescEnum): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...desc.values.map((v) => v.number)) },
    { weight: 1, arbitrary: fc.constantFrom(-1, 42, 2 ** 31 - 1, desc.values.length) },
  );
}

/** One value of a singular field, or one element of a list, or one value of a map. */
function elementArb(
  field: Field,
  kind: 'scalar' | 'enum' | 'message',
  ctx: HostileContext,
  depth: number,
): fc.Arbitrary<unknown> {
  if (kind === 'message') return messageArb(field.message as Desc, ctx, depth - 1);
  if (kind === 'enum') return enumArb(field.enum as Protobuf.DescEnum);
  return scalarArb(field, field.scalar as number, ctx);
}

/** An element cheap to repeat 100,000 times (generating that many with fast-check would be slow). */
function filler(kind: 'scalar' | 'enum' | 'message', scalar: number | undefined): unknown {
  if (kind === 'message') return {};
  if (kind === 'enum') return 1;
  if (scalar === S.STRING) return 'a';
  if (scalar === S.BYTES) return new Uint8Array(1);
  if (scalar === S.BOOL) return true;
  if (scalar === S.INT64 || scalar === S.UINT64 || scalar === S.FIXED64) return 1n;
  if (scalar === S.SFIXED64 || scalar === S.SINT64) return 1n;
  return 1;
}

function fieldArb(field: Field, ctx: HostileContext, depth: number): fc.Arbitrary<unknown> {
  const fullName = `${field.parent.typeName}.${field.name}`;
  if (field.fieldKind === 'list') {
    const kind = field.listKind;
    const limit = itemLimitOf(fullName);
    const fill = filler(kind, field.listKind === 'scalar' ? field.scalar : undefined);
    return fc.oneof(
      { weight: 6, arbitrary: fc.array(elementArb(field, kind, ctx, depth), { maxLength: 3 }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(limit, limit + 1, 100_000).map((n) => new Array<unknown>(n).fill(fill)),
      },
    );
  }
  if (field.fieldKind === 'map') {
    const kind = field.mapKind;
    const limit = itemLimitOf(fullName);
    const keys =
      field.mapKey === S.STRING
        ? fc.oneof(
            { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
            {
              weight: 1,
              arbitrary: fc.constantFrom(INPUT_LIMITS.mapKeyChars + 1, 300_000).map((n) => 'k'.repeat(n)),
            },
          )
        : fc.integer({ min: 0, max: 1000 }).map(String);
    const fill = filler(kind, field.mapKind === 'scalar' ? field.scalar : undefined);
    return fc.oneof(
      { weight: 6, arbitrary: fc.dictionary(keys, elementArb(field, kind, ctx, depth), { maxKeys: 3 }) },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(limit + 1, 20_000)
          .map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, fill]))),
      },
    );
  }
  return elementArb(field, field.fieldKind, ctx, depth);
}

/** A message init object for @bufbuild/protobuf's `create` (oneofs as `{ case, value }`). */
function messageArb(desc: Desc, ctx: HostileContext, depth: number): fc.Arbitrary<Record<string, unknown>> {
  if (depth <= 0) return fc.constant({});
  const parts: fc.Arbitrary<[string, unknown] | undefined>[] = [];
  for (const field of desc.fields) {
    if (field.oneof !== undefined) continue;
    parts.push(
      fc.option(
        fieldArb(field, ctx, depth).map((v) => [field.localName, v] as [string, unknown]),
        { freq: 2 },
      ),
    );
  }
  for (const oneof of desc.oneofs) {
    const members = oneof.fields.map((field) =>
      fieldArb(field, ctx, depth).map(
        (value) => [oneof.localName, { case: field.localName, value }] as [string, unknown],
      ),
    );
    parts.push(fc.option(fc.oneof(...members)));
  }
  return fc
    .tuple(...parts)
    .map((entries) =>
      Object.fromEntries(entries.filter((e): e is [string, unknown] => e !== undefined && e !== null)),
    );
}

type Mode = 'normal' | 'deadline-1ms' | 'cancel';

export interface HostileCase {
  mode: Mode;
  /** The request messages (one, or several for a client stream), as init objects; or the patch. */
  messages: Record<string, unknown>[];
  /** The valid base request's frames a patch applies to, if any. */
  base: readonly Uint8Array[] | undefined;
  /** The frame of `base` the patch is appended to. */
  patchIndex: number;
}

interface MethodInfo {
  name: string;
  path: string;
  kind: Protobuf.DescMethod['methodKind'];
  input: Desc;
}

function methodsOf(serviceName: string): MethodInfo[] {
  const service = load().registry.getService(serviceName);
  if (service === undefined) throw new Error(`service ${serviceName} is not in the descriptor set`);
  return service.methods.map((m) => ({
    name: m.name,
    path: `/${serviceName}/${m.name}`,
    kind: m.methodKind,
    input: m.input,
  }));
}

/** Paths from the request type down to each field (through singular message fields), depth ≤ `depth`. */
function fieldPaths(desc: Desc, depth: number, prefix: Field[] = []): Field[][] {
  const out: Field[][] = [];
  for (const field of desc.fields) {
    const path = [...prefix, field];
    out.push(path);
    if (field.fieldKind === 'message' && depth > 1 && !prefix.some((f) => f.message === field.message)) {
      out.push(...fieldPaths(field.message, depth - 1, path));
    }
  }
  return out;
}

/** An init object setting only the last field of `path` to `value` (oneof members as `{ case, value }`). */
function patchAt(path: readonly Field[], value: unknown): Record<string, unknown> {
  let inner: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) {
    const field = path[i] as Field;
    inner =
      field.oneof === undefined
        ? { [field.localName]: inner }
        : { [field.oneof.localName]: { case: field.localName, value: inner } };
  }
  return inner as Record<string, unknown>;
}

/**
 * A case is either a whole generated message (every field hostile or absent), or, when the caller gave
 * a valid base request for the method, that base with one field (at any depth) overwritten by a hostile
 * value: protobuf merges concatenated messages, so the patch is encoded alone and appended to the base.
 */
function caseArb(
  method: MethodInfo,
  ctx: HostileContext,
  base: readonly Uint8Array[] | undefined,
  modes: readonly Mode[],
): fc.Arbitrary<HostileCase> {
  const streaming = method.kind === 'client_streaming' || method.kind === 'bidi_streaming';
  const message = messageArb(method.input, ctx, 4);
  const generated = streaming ? fc.array(message, { minLength: 0, maxLength: 3 }) : message.map((m) => [m]);
  const whole = generated.map((messages) => ({ messages, base: undefined, patchIndex: 0 }));
  let messages: fc.Arbitrary<Pick<HostileCase, 'messages' | 'base' | 'patchIndex'>> = whole;
  if (base !== undefined && base.length > 0) {
    const paths = fieldPaths(method.input, 3);
    const patched = fc
      .tuple(fc.constantFrom(...paths), fc.nat({ max: base.length - 1 }))
      .chain(([path, patchIndex]) =>
        fieldArb(path[path.length - 1] as Field, ctx, 2).map((value) => ({
          messages: [patchAt(path, value)],
          base,
          patchIndex,
        })),
      );
    messages = fc.oneof({ weight: 1, arbitrary: whole }, { weight: 2, arbitrary: patched });
  }
  const mode = fc.constantFrom<Mode>(...modes);
  return fc.tuple(mode, messages).map(([m, rest]) => ({ mode: m, ...rest }));
}

/** The frames a case sends: the generated messages, or the base with the patch appended to one frame. */
function framesOf(method: MethodInfo, c: HostileCase): Buffer[] {
  const { protobuf: pb } = load();
  const encoded = c.messages.map((m) =>
    Buffer.from(pb.toBinary(method.input, pb.create(method.input, m as never))),
  );
  if (c.base === undefined) return encoded;
  return c.base.map((frame, i) =>
    i === c.patchIndex ? Buffer.concat([frame, ...encoded]) : Buffer.from(frame),
  );
}

export interface CallOutcome {
  code: grpc.status;
  details: string;
  metadataBytes: number;
  /** Messages a server stream delivered before the outcome (the call is cancelled after the first). */
  received: number;
  /** Time from the call to its status. */
  ms: number;
}

function identity(b: Buffer): Buffer {
  return b;
}

/** Makes the call described by `c` with raw bytes and resolves with its status. */
function callRaw(
  client: grpc.Client,
  method: MethodInfo,
  frames: Buffer[],
  mode: Mode,
  deadlineMs: number,
): Promise<CallOutcome> {
  const started = Date.now();
  const deadline = started + (mode === 'deadline-1ms' ? 1 : deadlineMs);
  return new Promise((resolve) => {
    let received = 0;
    const done = (status: grpc.StatusObject): void => {
      let metadataBytes = 0;
      for (const [key, values] of Object.entries(status.metadata.toHttp2Headers())) {
        metadataBytes += key.length + String(values).length;
      }
      resolve({
        code: status.code,
        details: status.details,
        metadataBytes,
        received,
        ms: Date.now() - started,
      });
    };
    const ignore = (): void => undefined;
    const meta = new grpc.Metadata();
    const options = { deadline };
    if (method.kind === 'client_streaming' || method.kind === 'bidi_streaming') {
      const call =
        method.kind === 'bidi_streaming'
          ? client.makeBidiStreamRequest(method.path, identity, identity, meta, options)
          : client.makeClientStreamRequest(method.path, identity, identity, meta, options, ignore);
      call.on('status', done);
      call.on('error', ignore);
      call.on('data', () => received++);
      const [first, ...rest] = frames;
      if (first !== undefined) call.write(first);
      if (mode === 'cancel') {
        call.cancel();
        return;
      }
      for (const frame of rest) call.write(frame);
      call.end();
    } else if (method.kind === 'server_streaming') {
      const call = client.makeServerStreamRequest(
        method.path,
        identity,
        identity,
        frames[0] as Buffer,
        meta,
        options,
      );
      call.on('error', ignore);
      call.on('status', done);
      call.on('data', () => {
        // A live stream (a watch, a download): cancel it mid-stream after its first message.
        if (received++ === 0) call.cancel();
      });
      if (mode === 'cancel') setImmediate(() => call.cancel());
    } else {
      const call = client.makeUnaryRequest(
        method.path,
        identity,
        identity,
        frames[0] as Buffer,
        meta,
        options,
        ignore,
      );
      call.on('status', done);
      if (mode === 'cancel') setImmediate(() => call.cancel());
    }
  });
}

/** grpc.health.v1.Health/Check of the whole server: resolves with the serving status number (1 = SERVING). */
export function checkHealth(client: grpc.Client, deadlineMs = 5_000): Promise<number> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      identity,
      identity,
      Buffer.alloc(0),
      new grpc.Metadata(),
      { deadline: Date.now() + deadlineMs },
      (err, response) => {
        if (err) reject(err);
        // HealthCheckResponse { status = 1 }: the tag byte 0x08 then the varint, or nothing (0).
        else resolve(response !== undefined && response.length >= 2 ? (response[1] as number) : 0);
      },
    );
  });
}

export interface HostileSuiteOptions {
  /** host:port of the running service. */
  address: string;
  /** Fully-qualified service name, e.g. `headstart.registry.v1.RegistryService`. */
  service: string;
  context: HostileContext;
  /**
   * The service's state as a JSON-comparable value, from cheap calls (lists of models, jobs, runs...).
   * Taken after every case: it also proves the service still answers. Leave out fields that change
   * by themselves (progress, timestamps).
   */
  snapshot(): Promise<unknown>;
  /** Cases for the whole service, spread evenly over its methods. @default HEADSTART_PROPERTY_RUNS or 800 */
  runs?: number;
  /** @default HEADSTART_PROPERTY_SEED or a random one (printed on failure) */
  seed?: number;
  /** Deadline of a normal case: no status by then is a violation. @default 10_000 */
  deadlineMs?: number;
  /**
   * A valid request per method (by its proto name, `StartRun`), encoded (`X.encode(m).finish()`), or the
   * frames of a client stream: two thirds of the cases are a base with one field made hostile, so they
   * get past the first checks. Methods without a base get whole generated messages only.
   */
  bases?: Readonly<Record<string, Uint8Array | readonly Uint8Array[]>>;
  /** Only these methods (by name). @default all */
  methods?: readonly string[];
}

export interface HostileMethodReport {
  method: string;
  kind: string;
  cases: number;
  /** Status names seen, with counts (`OK`, `INVALID_ARGUMENT`, ...). */
  statuses: Record<string, number>;
  /** Longest status message seen, in bytes. */
  maxDetailsBytes: number;
  /** Slowest normal case, in ms. */
  maxMs: number;
  /** Empty when the property held; else the counterexample with seed and path. */
  failure?: string;
}

export interface HostileSuiteReport {
  service: string;
  seed: number;
  methods: HostileMethodReport[];
  cases: number;
  statuses: Record<string, number>;
  failures: string[];
  /** A Markdown table row per method and a total. */
  table(): string;
}

/** Number from an environment variable, or `fallback`. */
export function propertyEnv(
  name: 'HEADSTART_PROPERTY_RUNS' | 'HEADSTART_PROPERTY_SEED',
  fallback: number,
): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return value;
}

function codeName(code: number): string {
  return grpc.status[code] ?? String(code);
}

/** A short, printable form of a case: long strings and arrays cut. */
export function describeCase(value: unknown): string {
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'string' && v.length > 40)
      return `${JSON.stringify(v.slice(0, 20))}…(${v.length} chars)`;
    if (v instanceof Uint8Array) return `<${v.length} bytes>`;
    if (Array.isArray(v) && v.length > 5) return [...v.slice(0, 3), `…(${v.length} elements)`];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const entries = Object.entries(v);
      if (entries.length > 5)
        return { ...Object.fromEntries(entries.slice(0, 3)), '…': `${entries.length} entries` };
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return v;
  });
  return json.length > 2000 ? `${json.slice(0, 2000)}…` : json;
}

/**
 * Runs the bad-input property over every method of `options.service` (see the file header) and reports
 * per method. Never throws for a violation: the caller asserts `report.failures` is empty.
 */
export async function runHostileSuite(options: HostileSuiteOptions): Promise<HostileSuiteReport> {
  const seed = options.seed ?? propertyEnv('HEADSTART_PROPERTY_SEED', Date.now() ^ (Math.random() * 2 ** 31));
  const all = methodsOf(options.service).filter(
    (m) => options.methods === undefined || options.methods.includes(m.name),
  );
  const total = options.runs ?? propertyEnv('HEADSTART_PROPERTY_RUNS', DEFAULT_PROPERTY_RUNS);
  const perMethod = Math.max(1, Math.ceil(total / Math.max(1, all.length)));
  const deadlineMs = options.deadlineMs ?? 10_000;
  // The hostile calls get a connection of their own (not grpc-js's shared subchannel pool), so that
  // whatever happens to it cannot fail the snapshot's calls. It is replaced every
  // ABANDONED_PER_CONNECTION cancelled or timed-out calls: each sends an RST_STREAM, and the server's
  // HTTP/2 layer (nghttp2's reset-rate limit, the Rapid Reset defence: a burst of 1000, then 33 a second)
  // closes a connection past that with GOAWAY INTERNAL_ERROR, failing the calls still on it with
  // INTERNAL "Session closed with error code 2". That is a DoS defence below the service, not an answer
  // of the service; a real client does not cancel a thousand calls a second.
  const connect = () =>
    new grpc.Client(options.address, grpc.credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
    });
  let client = connect();
  let abandoned = 0;
  try {
    // The state is compared around each refused case; `known` is the state when nothing may have moved
    // since (undefined after an accepted, cancelled or timed-out call: taken again before the next case).
    let known: string | undefined;
    const state = async () => JSON.stringify(await options.snapshot());
    const reports = all.map((method): HostileMethodReport => ({
      method: method.name,
      kind: method.kind,
      cases: 0,
      statuses: {},
      maxDetailsBytes: 0,
      maxMs: 0,
    }));
    // Two phases. First every method with calls that run to their status, the state compared around
    // each refused one. Then every method with 1 ms deadlines and cancels: the service may still finish
    // such a call after the client gave up (a job created a moment later is not a refused call's doing),
    // so those come last and are checked for their status and the service's health only.
    const settledRuns = Math.max(1, Math.round((perMethod * 5) / 7));
    const phases = [
      { modes: ['normal'] as Mode[], runs: settledRuns, seedOffset: 0 },
      {
        modes: ['deadline-1ms', 'cancel'] as Mode[],
        runs: Math.max(1, perMethod - settledRuns),
        seedOffset: 7919,
      },
    ];
    for (const phase of phases) {
      for (const [index, method] of all.entries()) {
        const report = reports[index] as HostileMethodReport;
        if (report.failure !== undefined) continue;
        const methodSeed = (seed + index + phase.seedOffset) | 0;
        const base = options.bases?.[method.name];
        const frames0 = base === undefined ? undefined : Array.isArray(base) ? base : [base as Uint8Array];
        const property = fc.asyncProperty(
          caseArb(method, options.context, frames0, phase.modes),
          async (c) => {
            const frames = framesOf(method, c);
            const before = c.mode === 'normal' ? (known ?? (await state())) : '';
            if (c.mode !== 'normal' && ++abandoned >= ABANDONED_PER_CONNECTION) {
              client.close();
              client = connect();
              abandoned = 0;
            }
            const outcome = await callRaw(client, method, frames, c.mode, deadlineMs);
            report.cases++;
            const name = codeName(outcome.code);
            report.statuses[name] = (report.statuses[name] ?? 0) + 1;
            const detailsBytes = Buffer.byteLength(outcome.details);
            report.maxDetailsBytes = Math.max(report.maxDetailsBytes, detailsBytes);
            if (c.mode === 'normal') report.maxMs = Math.max(report.maxMs, outcome.ms);
            const answer = `${name} "${outcome.details.slice(0, 300)}" after ${outcome.ms} ms (${c.mode})`;
            if (VAGUE.has(outcome.code)) throw new Error(`a vague status: ${answer}`);
            if (
              c.mode === 'normal' &&
              outcome.code === grpc.status.DEADLINE_EXCEEDED &&
              outcome.received === 0
            ) {
              throw new Error(`no status before the ${deadlineMs} ms deadline: ${answer}`);
            }
            if (detailsBytes > MAX_DETAILS_BYTES)
              throw new Error(`a status message of ${detailsBytes} bytes: ${answer}`);
            if (outcome.metadataBytes > MAX_METADATA_BYTES) {
              throw new Error(`${outcome.metadataBytes} bytes of trailers: ${answer}`);
            }
            let after: string;
            try {
              after = await state();
            } catch (err) {
              throw new Error(`the service stopped answering after ${answer}: ${String(err)}`);
            }
            const refused = c.mode === 'normal' && outcome.code !== grpc.status.OK && outcome.received === 0;
            if (refused && after !== before) {
              throw new Error(
                `a refused call changed the state: ${answer}\nbefore: ${before.slice(0, 1500)}\nafter:  ${after.slice(0, 1500)}`,
              );
            }
            known = refused ? after : undefined;
          },
        );
        const endOnFailure = process.env['HEADSTART_PROPERTY_SHRINK'] !== '1';
        const details = await fc.check(property, { numRuns: phase.runs, seed: methodSeed, endOnFailure });
        if (details.failed) {
          const error =
            details.errorInstance instanceof Error
              ? details.errorInstance.message
              : String(details.errorInstance);
          report.failure =
            `${options.service}/${method.name}: ${error}\n` +
            `  case: ${describeCase(details.counterexample?.[0])}\n` +
            `  reproduce: HEADSTART_PROPERTY_SEED=${seed} (method seed ${methodSeed}, path "${details.counterexamplePath ?? ''}")`;
        }
        try {
          const serving = await checkHealth(client);
          if (serving !== 1) {
            report.failure ??= `${options.service}/${method.name}: grpc.health.v1 says ${serving}, not SERVING (seed ${seed})`;
          }
        } catch (err) {
          report.failure ??= `${options.service}/${method.name}: grpc.health.v1 Check failed: ${String(err)} (seed ${seed})`;
        }
      }
    }
    return summarize(options.service, seed, reports);
  } finally {
    client.close();
  }
}

function summarize(service: string, seed: number, reports: HostileMethodReport[]): HostileSuiteReport {
  const statuses: Record<string, number> = {};
  for (const r of reports)
    for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const failures = reports.flatMap((r) => (r.failure === undefined ? [] : [r.failure]));
  const cases = reports.reduce((n, r) => n + r.cases, 0);
  const list = (s: Record<string, number>) =>
    Object.entries(s)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  return {
    service,
    seed,
    methods: reports,
    cases,
    statuses,
    failures,
    table: () =>
      [
        `| ${service} (seed ${seed}) | cases | statuses seen | longest message (bytes) | slowest (ms) | violations |`,
        '| --- | ---: | --- | ---: | ---: | ---: |',
        ...reports.map(
          (r) =>
            `| ${r.method} (${r.kind}) | ${r.cases} | ${list(r.statuses)} | ${r.maxDetailsBytes} | ${r.maxMs} | ${r.failure === undefined ? 0 : 1} |`,
        ),
        `| **${reports.length} RPCs** | ${cases} | ${list(statuses)} | | | ${failures.length} |`,
      ].join('\n'),
  };
}
