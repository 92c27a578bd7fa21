import { registry } from '@headstart/proto';

import { registryServiceDefinition } from './service-definition';

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

describe('registryServiceDefinition', () => {
  const generated = registry.RegistryServiceService.getVersion.responseSerialize;

  it('encodes GetVersion answers exactly as the generated code does', () => {
    const serialize = registryServiceDefinition().getVersion.responseSerialize;
    for (const v of [version(1), Object.freeze(version(2))]) {
      const bytes = serialize({ version: v });
      expect(bytes.equals(generated({ version: v }))).toBe(true);
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

  it('keeps every other method as generated', () => {
    const definition = registryServiceDefinition();
    expect(definition.getModel).toBe(registry.RegistryServiceService.getModel);
    expect(definition.getVersion.path).toBe(registry.RegistryServiceService.getVersion.path);
  });
});
