// Requests the generated decoder refuses get a precise status instead of grpc-js's INTERNAL "Error
// deserializing request". Two cases (issue 14's prober found both):
//   - a valid message with a 64-bit field above 2^53 − 1: ts-proto decodes int64/uint64 to JS numbers and
//     throws; the message is decoded again from the descriptor set (64-bit values as bigint) to name the
//     field, answered OUT_OF_RANGE;
//   - bytes that are not a message of the method's request type: INVALID_ARGUMENT.
// The deserializer cannot answer a call, so it returns a marker that the handler wrappers turn into the
// status before any other work (rejectUndecodable).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Protobuf from '@bufbuild/protobuf';
import type * as ProtobufReflect from '@bufbuild/protobuf/reflect';
import type * as ProtobufWkt from '@bufbuild/protobuf/wkt';
import { Code, HeadstartError } from '@headstart/errors';
import type * as ProtoPackage from '@headstart/proto';

const UNDECODABLE = Symbol('undecodable request');

interface Undecodable {
  readonly [UNDECODABLE]: HeadstartError;
}

/** ScalarType values of @bufbuild/protobuf (a const enum) that hold 64-bit integers. */
const SCALAR_64 = new Set([3, 4, 6, 16, 18]); // INT64, UINT64, FIXED64, SFIXED64, SINT64
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

interface Loaded {
  registry: Protobuf.FileRegistry;
  protobuf: typeof Protobuf;
  reflect: typeof ProtobufReflect;
}
let loaded: Loaded | undefined;

/* Loaded on the first refused request: importing the kit must not load @headstart/proto. */
function load(): Loaded {
  if (loaded === undefined) {
    const req = createRequire(__filename);
    const { descriptorSetPath } = req('@headstart/proto') as typeof ProtoPackage;
    const protobuf = req('@bufbuild/protobuf') as typeof Protobuf;
    const { FileDescriptorSetSchema } = req('@bufbuild/protobuf/wkt') as typeof ProtobufWkt;
    const registry = protobuf.createFileRegistry(
      protobuf.fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSetPath)),
    );
    loaded = { registry, protobuf, reflect: req('@bufbuild/protobuf/reflect') as typeof ProtobufReflect };
  }
  return loaded;
}

/** The path of the first 64-bit value beyond ±(2^53 − 1), with the value; depth-first. */
function firstHugeValue(
  message: ProtobufReflect.ReflectMessage,
  prefix: string,
): { field: string; value: bigint } | undefined {
  const huge = (v: unknown) => typeof v === 'bigint' && (v > MAX || v < -MAX);
  for (const field of message.fields) {
    if (!message.isSet(field)) continue;
    const path = `${prefix}${field.name}`;
    if (field.fieldKind === 'scalar' && SCALAR_64.has(field.scalar)) {
      const value = message.get(field);
      if (huge(value)) return { field: path, value: value as bigint };
    } else if (field.fieldKind === 'message') {
      const found = firstHugeValue(message.get(field), `${path}.`);
      if (found) return found;
    } else if (field.fieldKind === 'list') {
      const list = message.get(field);
      let i = 0;
      for (const item of list) {
        if (field.listKind === 'scalar' && SCALAR_64.has(field.scalar) && huge(item)) {
          return { field: `${path}[${i}]`, value: item as bigint };
        }
        if (field.listKind === 'message') {
          const found = firstHugeValue(item as ProtobufReflect.ReflectMessage, `${path}[${i}].`);
          if (found) return found;
        }
        i++;
      }
    }
  }
  return undefined;
}

/** The status for `bytes` that the generated decoder of `methodPath`'s request refused with `cause`. */
export function explainUndecodable(methodPath: string, bytes: Uint8Array, cause: unknown): HeadstartError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const match = /^\/([^/]+)\/([^/]+)$/.exec(methodPath);
  const { registry, protobuf, reflect } = load();
  const input = registry.getService(match?.[1] ?? '')?.methods.find((m) => m.name === match?.[2])?.input;
  if (input === undefined) {
    return new HeadstartError(Code.INVALID_ARGUMENT, `the request could not be decoded: ${reason}`);
  }
  let message: Protobuf.Message;
  try {
    message = protobuf.fromBinary(input, bytes);
  } catch (err) {
    return new HeadstartError(
      Code.INVALID_ARGUMENT,
      `the request is not a valid ${input.typeName} message: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const huge = firstHugeValue(reflect.reflect(input, message), '');
  if (huge === undefined) {
    return new HeadstartError(Code.INVALID_ARGUMENT, `the request could not be decoded: ${reason}`);
  }
  return new HeadstartError(
    Code.OUT_OF_RANGE,
    `${huge.field} is ${huge.value}; the largest value this service takes is ${Number.MAX_SAFE_INTEGER} (2^53 − 1)`,
    { details: { field: huge.field } },
  );
}

/** Wraps a method's request deserializer so that a refused request reaches the handler as a marker. */
export function tolerantDeserializer<Req>(
  methodPath: string,
  deserialize: (bytes: Buffer) => Req,
): (bytes: Buffer) => Req {
  return (bytes) => {
    try {
      return deserialize(bytes);
    } catch (err) {
      const marker: Undecodable = { [UNDECODABLE]: explainUndecodable(methodPath, bytes, err) };
      return marker as unknown as Req;
    }
  };
}

/** Throws the status of a request its deserializer refused (see tolerantDeserializer). */
export function rejectUndecodable(request: unknown): void {
  if (typeof request === 'object' && request !== null && UNDECODABLE in request) {
    throw (request as Undecodable)[UNDECODABLE];
  }
}
