import { randomBytes } from 'node:crypto';

import type { RegistryClient, UploadMetadata, VersionRefInput } from '@headstart/registry-client';

export interface SeedShape {
  models: number;
  versionsPerModel: number;
}

/** Aliases every seeded model gets, and the version each ends on (`latest-checkpoint` follows every commit). */
export function aliasTargets(shape: SeedShape): Record<string, number> {
  const last = shape.versionsPerModel;
  return { production: Math.max(1, last - 3), staging: last, 'latest-checkpoint': last };
}

const KINDS = ['BASE_MODEL', 'FINETUNED_MODEL', 'TOKENIZER', 'DATASET'] as const;

export function modelName(index: number): string {
  return `bench-model-${String(index).padStart(3, '0')}`;
}

/** Realistic version metadata: a few metadata entries, metrics, tags, a parent, aliases. */
function versionMetadata(shape: SeedShape, model: number, version: number): UploadMetadata {
  const name = modelName(model);
  const aliases = Object.entries(aliasTargets(shape))
    .filter(([alias, target]) => target === version || alias === 'latest-checkpoint')
    .map(([alias]) => alias);
  const parents =
    version > 1
      ? [{ ref: `${name}:${version - 1}`, relation: 'resumed_from' }]
      : model > 0
        ? [{ ref: `${modelName(0)}:1`, relation: 'derived_from' }]
        : [];
  return {
    modelName: name,
    kind: KINDS[model % KINDS.length] ?? 'BASE_MODEL',
    modelDescription: `benchmark model ${model}`,
    description: `checkpoint ${version} of ${name}`,
    metadata: {
      framework: 'tfjs',
      seq_len: '128',
      vocab_size: '30000',
      step: String(version * 1000),
      final: version === shape.versionsPerModel ? 'true' : 'false',
    },
    metrics: { loss: 4 / version, accuracy: 0.5 + version / 40, tokens_seen: version * 1e7 },
    parents,
    tags: ['bench', `step-${version * 1000}`],
    runId: `bench-run-${model}`,
    aliases,
  };
}

/**
 * Uploads `models` × `versionsPerModel` versions (4 KiB artifacts) with lineage and aliases, a few
 * models at a time; each model's versions go in order since each names the previous one as parent.
 * Model 0 goes first: the others name its version 1 as their first version's parent.
 */
export async function seedRegistry(client: RegistryClient, shape: SeedShape, parallel = 4): Promise<number> {
  const seedModel = async (model: number): Promise<void> => {
    for (let version = 1; version <= shape.versionsPerModel; version++) {
      const committed = (
        await client.createVersion(versionMetadata(shape, model, version), randomBytes(4096))
      ).version;
      if (committed.version !== version) {
        throw new Error(
          `seeding ${modelName(model)} committed version ${committed.version}, expected ${version}`,
        );
      }
    }
  };
  await seedModel(0);
  let next = 1;
  const worker = async (): Promise<void> => {
    while (next < shape.models) await seedModel(next++);
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return shape.models * shape.versionsPerModel;
}

/** One lookup of the mix and the version number a correct answer has. */
export interface Lookup {
  ref: VersionRefInput;
  expectedVersion: number;
  label: 'version' | 'alias' | 'latest';
}

/**
 * A fixed, seeded list of lookups, a third each by number, by alias and latest, over all models:
 * every caller walks it from its own offset so the mix is the same in every run.
 */
export function lookupMix(shape: SeedShape, count = 4096, seed = 42): Lookup[] {
  let state = seed >>> 0;
  const random = (n: number): number => {
    // xorshift32: deterministic and cheap; only the spread matters here.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  const aliases = Object.entries(aliasTargets(shape));
  const lookups: Lookup[] = [];
  for (let i = 0; i < count; i++) {
    const name = modelName(random(shape.models));
    switch (i % 3) {
      case 0: {
        const version = 1 + random(shape.versionsPerModel);
        lookups.push({
          ref: { name, selector: { $case: 'version', version } },
          expectedVersion: version,
          label: 'version',
        });
        break;
      }
      case 1: {
        const [alias, target] = aliases[random(aliases.length)] ?? ['production', 1];
        lookups.push({
          ref: { name, selector: { $case: 'alias', alias } },
          expectedVersion: target,
          label: 'alias',
        });
        break;
      }
      default:
        lookups.push({
          ref: { name, selector: { $case: 'latest', latest: true } },
          expectedVersion: shape.versionsPerModel,
          label: 'latest',
        });
    }
  }
  return lookups;
}
