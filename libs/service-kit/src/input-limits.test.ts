import { Code, isHeadstartError } from '@headstart/errors';
import * as proto from '@headstart/proto';
import { charLimitOf, checkChars, checkItems, INPUT_LIMITS, itemLimitOf } from './input-limits';
import { requestCheckFor } from './request-bounds';
import { oversizedRequests } from './testing';

/** The error `fn` throws (fails when it does not throw). */
function thrown(fn: () => void): { code: Code; message: string; details?: Record<string, string> } {
  try {
    fn();
  } catch (err) {
    if (!isHeadstartError(err)) throw err;
    return err;
  }
  throw new Error('expected a throw');
}

describe('INPUT_LIMITS', () => {
  it.each([
    ['model_name', 255],
    ['name', 255],
    ['base_model_name', 255],
    ['name_prefix', 255],
    ['alias', 255],
    ['final_alias', 255],
    ['tags', 255],
    ['relation', 255],
    ['job_id', 256],
    ['id', 256],
    ['idempotency_key', 256],
    ['actor', 256],
    ['description', 4096],
    ['model_description', 4096],
    ['texts', 65536],
    ['page_token', 1024],
    ['text_field', 1024],
    ['reason', 1024],
  ])('%s is limited to %d characters', (field, limit) => {
    expect(charLimitOf(field)).toBe(limit);
  });

  it('limits repeated fields to 1024 elements, except the listed overrides', () => {
    expect(itemLimitOf('headstart.registry.v1.VersionMetadata.tags')).toBe(INPUT_LIMITS.items);
    expect(itemLimitOf('headstart.finetune.v1.ClassifyRequest.texts')).toBe(4096);
  });

  it('answers INVALID_ARGUMENT naming the field, its length and the limit', () => {
    const tooLong = thrown(() => checkChars('model_name', 'x'.repeat(300_000), 255));
    expect(tooLong.code).toBe(Code.INVALID_ARGUMENT);
    expect(tooLong.message).toBe('model_name is 300000 characters; the limit is 255');
    expect(tooLong.details).toEqual({ field: 'model_name', limit: '255' });
    const tooMany = thrown(() => checkItems('tags', 100_000, 1024));
    expect(tooMany.message).toBe('tags has 100000 elements; the limit is 1024');
    expect(() => checkChars('model_name', 'x'.repeat(255), 255)).not.toThrow();
    expect(() => checkItems('tags', 1024, 1024)).not.toThrow();
  });
});

describe('requestCheckFor', () => {
  const getModel = requestCheckFor('/headstart.registry.v1.RegistryService/GetModel');
  const createVersion = requestCheckFor('/headstart.registry.v1.RegistryService/CreateVersion');
  const metadata = (m: Partial<proto.registry.VersionMetadata>) => ({
    payload: { $case: 'metadata', metadata: proto.registry.VersionMetadata.fromPartial(m) },
  });

  it('accepts requests within the limits', () => {
    expect(() => getModel({ name: 'x'.repeat(255) })).not.toThrow();
    expect(() =>
      createVersion(metadata({ modelName: 'm', tags: ['a', 'b'], metadata: { k: 'v'.repeat(60_000) } })),
    ).not.toThrow();
    expect(() => createVersion({ payload: { $case: 'chunk', chunk: Buffer.alloc(1 << 20) } })).not.toThrow();
  });

  it('names nested fields, oneof members, list elements and map entries by their proto names', () => {
    const long = 'x'.repeat(300_000);
    expect(thrown(() => getModel({ name: long })).message).toBe(
      'name is 300000 characters; the limit is 255',
    );
    expect(thrown(() => createVersion(metadata({ modelName: long }))).message).toBe(
      'metadata.model_name is 300000 characters; the limit is 255',
    );
    expect(thrown(() => createVersion(metadata({ tags: ['ok', long] }))).message).toMatch(
      /^metadata\.tags\[1\] is/,
    );
    expect(thrown(() => createVersion(metadata({ metadata: { [long]: 'v' } }))).message).toBe(
      'metadata.metadata key is 300000 characters; the limit is 128',
    );
    expect(
      thrown(() =>
        createVersion(metadata({ parents: [{ ref: { name: long, selector: undefined }, relation: '' }] })),
      ).message,
    ).toBe('metadata.parents[0].ref.name is 300000 characters; the limit is 255');
    const many = Array.from({ length: 100_000 }, () => 'a');
    expect(thrown(() => createVersion(metadata({ aliases: many }))).message).toBe(
      'metadata.aliases has 100000 elements; the limit is 1024',
    );
  });

  it('lets the classifier take its 4096 texts', () => {
    const classify = requestCheckFor('/headstart.finetune.v1.FinetuneService/Classify');
    expect(() => classify({ texts: Array.from({ length: 4096 }, () => 'a') })).not.toThrow();
    expect(thrown(() => classify({ texts: Array.from({ length: 4097 }, () => 'a') })).message).toBe(
      'texts has 4097 elements; the limit is 4096',
    );
  });

  it('does not check methods outside the Headstart descriptors', () => {
    expect(() => requestCheckFor('/test.Echo/Echo')({ text: 'x'.repeat(300_000) })).not.toThrow();
  });
});

type MessageFns = {
  fromPartial(o: unknown): unknown;
  encode(m: unknown): { finish(): Uint8Array };
  decode(b: Uint8Array): unknown;
};
const services = {
  registry: proto.registry.RegistryServiceService,
  ingest: proto.ingest.IngestServiceService,
  pretrain: proto.pretrain.PretrainServiceService,
  finetune: proto.finetune.FinetuneServiceService,
};

/*
 * Every string and repeated field of every RPC of the four services, each over its limit in a request
 * encoded and decoded by the generated code (so a field the walker reads under the wrong ts-proto name
 * would arrive unchecked and fail here).
 */
describe.each(Object.entries(services))(
  'every request field of the %s service is bounded',
  (pkg, service) => {
    const types = proto[pkg as keyof typeof services] as unknown as Record<string, MessageFns>;
    const methods = Object.values(service as Record<string, { path: string }>);

    it.each(methods.map((m) => [m.path]))('%s', (path) => {
      const input = /\/([A-Za-z]+)$/.exec(path)?.[1] + 'Request';
      const type = types[input];
      if (type === undefined) throw new Error(`no ts-proto type ${input}`);
      const cases = oversizedRequests(path, {}, { chars: 70_000, items: 5_000 });
      expect(cases.length).toBeGreaterThan(0);
      for (const { field, request } of cases) {
        const decoded = type.decode(type.encode(type.fromPartial(request)).finish());
        const error = thrown(() => requestCheckFor(path)(decoded));
        expect([field, error.code]).toEqual([field, Code.INVALID_ARGUMENT]);
        expect(error.details?.['field']).toBe(field);
        expect(error.message.length).toBeLessThan(200);
      }
    });
  },
);
