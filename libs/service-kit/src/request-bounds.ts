// Checks every request message against INPUT_LIMITS before a handler sees it. Driven by the Headstart
// descriptor set: the request type of `/pkg.Service/Method` is looked up once, compiled into a list of
// the fields that can hold strings or repeated values, and each message is walked along that list.
// A new RPC or field is covered without any code. Messages of types the descriptor set does not know
// (a test's own service) are not checked.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Protobuf from '@bufbuild/protobuf';
import type * as ProtobufWkt from '@bufbuild/protobuf/wkt';
import type * as ProtoPackage from '@headstart/proto';
import { charLimitOf, checkChars, checkItems, INPUT_LIMITS, itemLimitOf } from './input-limits';
import { rejectUndecodable } from './undecodable';

/** One field that needs checking, with how to read it from a ts-proto message. */
export interface BoundedField {
  /** Proto field name, used in messages (`model_name`). */
  name: string;
  /** The ts-proto property holding the value: the field's camelCase name, or its oneof's. */
  property: string;
  /** For a member of a oneof (ts-proto `oneof=unions`): its `$case`. */
  oneofCase?: string;
  kind: 'string' | 'message' | 'list' | 'map';
  /** Characters of the string, of each string element, or of each string map value. */
  chars?: number;
  /** Elements of a list or entries of a map. */
  items?: number;
  /** Characters of each key, for maps with string keys. */
  keyChars?: number;
  /** The fields of the message, of each message element, or of each message map value. */
  nested?: readonly BoundedField[];
}

export type RequestCheck = (message: unknown) => void;

const STRING = 9; // ScalarType.STRING (a const enum of @bufbuild/protobuf)

/** ts-proto's property name for a snake_case proto name (`model_name` → `modelName`). */
function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

type Registry = Protobuf.FileRegistry;
let registry: Registry | undefined;

/* Loaded on first use, like introspection.ts: importing the kit must not load @headstart/proto. */
function descriptors(): Registry {
  if (registry === undefined) {
    const load = createRequire(__filename);
    const { descriptorSetPath } = load('@headstart/proto') as typeof ProtoPackage;
    const { createFileRegistry, fromBinary } = load('@bufbuild/protobuf') as typeof Protobuf;
    const { FileDescriptorSetSchema } = load('@bufbuild/protobuf/wkt') as typeof ProtobufWkt;
    registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSetPath)));
  }
  return registry;
}

/** The fields of `message` that need checking, compiled once per type (recursive types are fine). */
function compile(message: Protobuf.DescMessage, done: Map<string, BoundedField[]>): BoundedField[] {
  const known = done.get(message.typeName);
  if (known !== undefined) return known;
  const fields: BoundedField[] = [];
  done.set(message.typeName, fields);
  for (const field of message.fields) {
    const base = {
      name: field.name,
      property: field.oneof === undefined ? camel(field.name) : camel(field.oneof.name),
      ...(field.oneof === undefined ? {} : { oneofCase: camel(field.name) }),
    };
    const items = itemLimitOf(`${message.typeName}.${field.name}`);
    if (field.fieldKind === 'scalar' && field.scalar === STRING) {
      fields.push({ ...base, kind: 'string', chars: charLimitOf(field.name) });
    } else if (field.fieldKind === 'message') {
      fields.push({ ...base, kind: 'message', nested: compile(field.message, done) });
    } else if (field.fieldKind === 'list') {
      fields.push({
        ...base,
        kind: 'list',
        items,
        ...(field.listKind === 'scalar' && field.scalar === STRING ? { chars: charLimitOf(field.name) } : {}),
        ...(field.listKind === 'message' ? { nested: compile(field.message, done) } : {}),
      });
    } else if (field.fieldKind === 'map') {
      fields.push({
        ...base,
        kind: 'map',
        items,
        ...(field.mapKey === STRING ? { keyChars: INPUT_LIMITS.mapKeyChars } : {}),
        ...(field.mapKind === 'scalar' && field.scalar === STRING
          ? { chars: INPUT_LIMITS.mapValueChars }
          : {}),
        ...(field.mapKind === 'message' ? { nested: compile(field.message, done) } : {}),
      });
    }
  }
  return fields;
}

/** Compiled field lists by message type, shared by every method. */
const compiled = new Map<string, BoundedField[]>();

/** The fields to check in requests of `methodPath` (`/pkg.Service/Method`), or undefined if unknown. */
export function boundedFieldsOf(methodPath: string): readonly BoundedField[] | undefined {
  const match = /^\/([^/]+)\/([^/]+)$/.exec(methodPath);
  if (match === null) return undefined;
  const service = descriptors().getService(match[1] as string);
  const method = service?.methods.find((m) => m.name === match[2]);
  return method === undefined ? undefined : compile(method.input, compiled);
}

function read(field: BoundedField, message: Record<string, unknown>): unknown {
  const value = message[field.property];
  if (field.oneofCase === undefined) return value;
  const union = value as { $case?: string } & Record<string, unknown>;
  return union?.$case === field.oneofCase ? union[field.oneofCase] : undefined;
}

function checkMessage(fields: readonly BoundedField[], message: unknown, prefix: string): void {
  if (typeof message !== 'object' || message === null) return;
  for (const field of fields) {
    const value = read(field, message as Record<string, unknown>);
    if (value === undefined || value === null) continue;
    const path = prefix + field.name;
    if (field.kind === 'string') {
      if (typeof value === 'string') checkChars(path, value, field.chars as number);
    } else if (field.kind === 'message') {
      checkMessage(field.nested ?? [], value, `${path}.`);
    } else if (field.kind === 'list' && Array.isArray(value)) {
      checkItems(path, value.length, field.items as number);
      if (field.chars !== undefined || field.nested !== undefined) {
        value.forEach((element: unknown, i) => checkValue(field, element, `${path}[${i}]`));
      }
    } else if (field.kind === 'map' && typeof value === 'object') {
      const entries = Object.entries(value);
      checkItems(path, entries.length, field.items as number, 'entries');
      for (const [key, element] of entries) {
        if (field.keyChars !== undefined) checkChars(`${path} key`, key, field.keyChars);
        checkValue(field, element, `${path}[${JSON.stringify(key)}]`);
      }
    }
  }
}

/** One element of a list or value of a map: a string or a message. */
function checkValue(field: BoundedField, value: unknown, path: string): void {
  if (field.chars !== undefined && typeof value === 'string') checkChars(path, value, field.chars);
  else if (field.nested !== undefined) checkMessage(field.nested, value, `${path}.`);
}

const checks = new Map<string, RequestCheck>();
const unchecked: RequestCheck = () => undefined;

/**
 * The check of request messages of `methodPath`: throws INVALID_ARGUMENT naming the first field over
 * its limit (`spec.model_name is 300000 characters; the limit is 255`). Built once per method.
 */
export function requestCheckFor(methodPath: string): RequestCheck {
  let check = checks.get(methodPath);
  if (check === undefined) {
    const fields = boundedFieldsOf(methodPath);
    check = fields === undefined || fields.length === 0 ? unchecked : (m) => checkMessage(fields, m, '');
    checks.set(methodPath, check);
  }
  return check;
}

/** The messages of a client stream, each checked as it arrives. */
export async function* checkedMessages<T>(
  messages: AsyncIterable<T>,
  check: RequestCheck,
): AsyncGenerator<T, void, undefined> {
  for await (const message of messages) {
    rejectUndecodable(message);
    check(message);
    yield message;
  }
}
