// A request the generated decoder refuses gets a precise status from the kit, never grpc-js's INTERNAL:
// OUT_OF_RANGE naming a 64-bit field above 2^53 − 1, INVALID_ARGUMENT for bytes that are no message.
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import type * as Protobuf from '@bufbuild/protobuf';
import type * as ProtobufWkt from '@bufbuild/protobuf/wkt';
import { pretrain } from '@headstart/proto';
import { createService, type RunningService } from './create-service';
import { unary } from './handlers';
import { createLogger } from './logger';
import { explainUndecodable } from './undecodable';

const START_RUN = '/headstart.pretrain.v1.PretrainService/StartRun';
let service: RunningService;
let client: grpc.Client;
let handled = 0;

beforeAll(async () => {
  const implementation: Partial<pretrain.PretrainServiceServer> = {
    startRun: unary(async () => {
      handled++;
      return { run: pretrain.Run.fromPartial({ id: 'run-1' }) };
    }),
  };
  service = await createService({
    name: 'undecodable-test',
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ name: 'test', level: 'silent' }),
    services: [
      {
        definition: pretrain.PretrainServiceService,
        implementation: implementation as grpc.UntypedServiceImplementation,
      },
    ],
  });
  client = new grpc.Client(service.address, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await service.shutdown('test done');
});

/** Sends `bytes` as a StartRun request; resolves with the status code and message. */
function send(bytes: Uint8Array): Promise<{ code: number; details: string }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      START_RUN,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(bytes),
      { deadline: Date.now() + 10_000 },
      (err) => resolve({ code: err?.code ?? grpc.status.OK, details: err?.details ?? '' }),
    );
  });
}

/** A StartRunRequest with a max_steps that only a bigint can hold, encoded from the descriptors. */
function hugeMaxSteps(): Uint8Array {
  const load = createRequire(__filename);
  const protobuf = load('@bufbuild/protobuf') as typeof Protobuf;
  const { descriptorSetPath } = load('@headstart/proto') as { descriptorSetPath: string };
  const { FileDescriptorSetSchema } = load('@bufbuild/protobuf/wkt') as typeof ProtobufWkt;
  const registry = protobuf.createFileRegistry(
    protobuf.fromBinary(
      FileDescriptorSetSchema,
      load('node:fs').readFileSync(descriptorSetPath) as Uint8Array,
    ),
  );
  const schema = registry.getMessage('headstart.pretrain.v1.StartRunRequest') as Protobuf.DescMessage;
  const message = protobuf.create(schema, {
    spec: { modelName: 'm', training: { maxSteps: 2n ** 53n + 1n } },
  } as never);
  return protobuf.toBinary(schema, message);
}

it('answers a 64-bit value above 2^53 − 1 with OUT_OF_RANGE naming the field, before the handler', async () => {
  const answer = await send(hugeMaxSteps());
  expect(answer.code).toBe(grpc.status.OUT_OF_RANGE);
  expect(answer.details).toBe(
    'spec.training.max_steps is 9007199254740993; the largest value this service takes is 9007199254740991 (2^53 − 1)',
  );
  expect(handled).toBe(0);
});

it('answers bytes that are no message of the request type with INVALID_ARGUMENT', async () => {
  const answer = await send(Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff));
  expect(answer.code).toBe(grpc.status.INVALID_ARGUMENT);
  expect(answer.details).toContain('is not a valid headstart.pretrain.v1.StartRunRequest message');
  expect(handled).toBe(0);
});

it('passes a valid request through to the handler', async () => {
  const answer = await send(
    pretrain.StartRunRequest.encode({ spec: undefined, idempotencyKey: 'k' }).finish(),
  );
  expect(answer.code).toBe(grpc.status.OK);
  expect(handled).toBe(1);
});

it('falls back to INVALID_ARGUMENT for a method the descriptor set does not know', () => {
  const error = explainUndecodable('/no.Such/Method', new Uint8Array(), new Error('bad'));
  expect(error.message).toBe('the request could not be decoded: bad');
});
