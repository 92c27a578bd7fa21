import { randomBytes } from 'node:crypto';

import { registry } from '@headstart/proto';

import { encodeChunk, registryServiceDefinition, soleChunk } from './service-definition';

function version(n: number): registry.ModelVersion {
  return registry.ModelVersion.fromPartial({
    id: `01HZ${n}`,
    modelName: 'bert',
    version: n,
    metadata: { step: String(n * 1000) },
    metrics: { loss: 1 / n },
    tags: ['golden'],
    aliases: ['production'],
    createdAt: new Date(1_700_000_000_000 + n),
  });
}

const generated = registry.RegistryServiceService;
const SIZES = [0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 4 << 20];

describe('registryServiceDefinition: GetVersion', () => {
  it('encodes answers exactly as the generated code does', () => {
    const serialize = registryServiceDefinition().getVersion.responseSerialize;
    for (const v of [version(1), Object.freeze(version(2))]) {
      const bytes = serialize({ version: v });
      expect(bytes.equals(generated.getVersion.responseSerialize({ version: v }))).toBe(true);
      expect(registry.GetVersionResponse.decode(bytes).version).toEqual(v);
    }
  });

  it('reuses the bytes of a frozen (cached) version, and only of one', () => {
    const serialize = registryServiceDefinition().getVersion.responseSerialize;
    const cached = Object.freeze(version(3));
    expect(serialize({ version: cached })).toBe(serialize({ version: cached }));
    const mutable = version(4);
    const first = serialize({ version: mutable });
    mutable.tags = ['changed'];
    const second = serialize({ version: mutable });
    expect(second).not.toBe(first);
    expect(registry.GetVersionResponse.decode(second).version?.tags).toEqual(['changed']);
  });

  it('keeps the other methods as generated', () => {
    const definition = registryServiceDefinition();
    expect(definition.getModel).toBe(generated.getModel);
    expect(definition.getVersion.path).toBe(generated.getVersion.path);
    expect(definition.createVersion.requestSerialize).toBe(generated.createVersion.requestSerialize);
  });
});

describe('registryServiceDefinition: artifact chunks', () => {
  it('encodes download chunks byte for byte as the generated encoder', () => {
    const serialize = registryServiceDefinition().downloadArtifact.responseSerialize;
    for (const size of SIZES) {
      const response: registry.DownloadArtifactResponse = {
        payload: { $case: 'chunk', chunk: randomBytes(size) },
      };
      expect(serialize(response).equals(generated.downloadArtifact.responseSerialize(response))).toBe(true);
    }
    const info: registry.DownloadArtifactResponse = {
      payload: { $case: 'info', info: { versionId: 'v', sha256: 'ab'.repeat(32), size: 3 } },
    };
    expect(serialize(info).equals(generated.downloadArtifact.responseSerialize(info))).toBe(true);
  });

  it('decodes upload chunks as views, equal to what the generated decoder gives', () => {
    const deserialize = registryServiceDefinition().createVersion.requestDeserialize;
    for (const size of SIZES) {
      const bytes = generated.createVersion.requestSerialize({
        payload: { $case: 'chunk', chunk: randomBytes(size) },
      });
      const decoded = deserialize(bytes);
      const expected = generated.createVersion.requestDeserialize(bytes);
      if (decoded.payload?.$case !== 'chunk' || expected.payload?.$case !== 'chunk')
        throw new Error('not a chunk');
      // Buffer.equals, not toEqual: Jest compares 4 MiB element by element for a minute.
      expect(Buffer.from(decoded.payload.chunk).equals(expected.payload.chunk)).toBe(true);
      expect(decoded.payload.chunk.buffer).toBe(bytes.buffer);
    }
  });

  it('leaves metadata, repeated and unknown fields to the generated decoder', () => {
    const deserialize = registryServiceDefinition().createVersion.requestDeserialize;
    const metadata = generated.createVersion.requestSerialize({
      payload: { $case: 'metadata', metadata: registry.VersionMetadata.fromPartial({ modelName: 'bert' }) },
    });
    expect(deserialize(metadata)).toEqual(generated.createVersion.requestDeserialize(metadata));
    const one = encodeChunk(Buffer.from('first'));
    const two = encodeChunk(Buffer.from('second'));
    const unknownField = Buffer.from([0x18, 0x01]); // field 3, varint 1
    for (const bytes of [
      Buffer.concat([one, two]),
      Buffer.concat([one, unknownField]),
      Buffer.concat([unknownField, two]),
    ]) {
      expect(soleChunk(bytes)).toBeUndefined();
      expect(deserialize(bytes)).toEqual(generated.createVersion.requestDeserialize(bytes));
    }
    expect(soleChunk(Buffer.from([0x12, 0x05, 0x01]))).toBeUndefined(); // truncated
    expect(soleChunk(Buffer.from([0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBeUndefined(); // varint too long
  });
});
