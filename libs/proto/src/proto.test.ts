import * as fs from 'node:fs';
import { registry, descriptorSetPath } from './index';

describe('@headstart/proto', () => {
  it('round-trips a CreateVersionRequest oneof through the wire format', () => {
    const msg: registry.CreateVersionRequest = {
      payload: {
        $case: 'metadata',
        metadata: registry.VersionMetadata.fromPartial({
          modelName: 'm',
          kind: registry.ModelKind.MODEL_KIND_DATASET,
          metrics: { loss: 1.5 },
        }),
      },
    };
    const back = registry.CreateVersionRequest.decode(registry.CreateVersionRequest.encode(msg).finish());
    expect(back.payload?.$case).toBe('metadata');
    if (back.payload?.$case !== 'metadata') throw new Error('unreachable');
    expect(back.payload.metadata.metrics).toEqual({ loss: 1.5 });
    expect(back.payload.metadata.expectedSize).toBeUndefined();
  });

  it('ships a descriptor set for server reflection', () => {
    expect(fs.statSync(descriptorSetPath).size).toBeGreaterThan(1000);
  });
});
