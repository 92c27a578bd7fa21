import { pretrain } from '@headstart/proto';
import { MAX_MIXTURE_SOURCES, resolveRunSpec, runSources } from './resolve-run-spec';

function spec(overrides: Partial<pretrain.RunSpec> = {}): pretrain.RunSpec {
  return pretrain.RunSpec.fromPartial({
    modelName: 'bert-tiny',
    shards: { name: 'wiki-shards', selector: { $case: 'version', version: 1 } },
    seed: 1,
    ...overrides,
  });
}

const messages = (s: pretrain.RunSpec, vocabSize?: number) =>
  resolveRunSpec(s, vocabSize === undefined ? undefined : { vocabSize }).problems.map((p) => p.message);

describe('resolveRunSpec', () => {
  it('fills in the documented defaults and the effective spec', () => {
    const { problems, resolved } = resolveRunSpec(spec(), { vocabSize: 8192 });
    expect(problems).toEqual([]);
    expect(resolved.model).toMatchObject({
      vocabSize: 8192,
      dModel: 128,
      heads: 4,
      layers: 2,
      ff: 512,
      maxLen: 128,
      dropout: 0,
    });
    expect(resolved.training).toMatchObject({
      learningRate: 1e-3,
      minLearningRate: 1e-4,
      warmupSteps: 100,
      decay: 'cosine',
      batchSize: 32,
      seqLen: 128,
      totalSteps: 2000,
      maskProb: 0.15,
      seed: 1,
    });
    expect(resolved.spec.finalAlias).toBe('final');
    expect(resolved.spec.training?.maxSteps).toBe(2000);
    expect(resolved.spec.model?.ff).toBe(512);
  });

  it('turns a token budget into whole steps, the smaller of the two limits winning', () => {
    const t = { batchSize: 8, seqLen: 16, gradAccumulation: 2 };
    const budget = (tokenBudget: number, maxSteps = 0) =>
      resolveRunSpec(
        spec({
          training: pretrain.TrainingConfig.fromPartial({ ...t, tokenBudget, maxSteps, warmupSteps: 0 }),
        }),
      ).resolved.training.totalSteps;
    expect(budget(2560)).toBe(10);
    expect(budget(2561)).toBe(11);
    expect(budget(1e6, 50)).toBe(50);
  });

  it('takes a time budget in seconds, capping the steps only when no other budget is given', () => {
    const timed = (training: Partial<pretrain.TrainingConfig>) => {
      const { problems, resolved } = resolveRunSpec(
        spec({ training: pretrain.TrainingConfig.fromPartial(training) }),
      );
      return { problems: problems.map((p) => p.message), training: resolved.training };
    };
    expect(timed({ timeBudgetSeconds: 600 }).training).toMatchObject({
      timeBudgetMs: 600_000,
      totalSteps: 1_000_000_000,
    });
    expect(timed({ timeBudgetSeconds: 600, maxSteps: 5000 }).training.totalSteps).toBe(5000);
    expect(timed({}).training).toMatchObject({ timeBudgetMs: 0, totalSteps: 2000 });
    expect(timed({ timeBudgetSeconds: 31 * 86_400 }).problems).toEqual([
      expect.stringContaining('training.time_budget_seconds'),
    ]);
  });

  it('names the field of every problem', () => {
    const bad = spec({
      modelName: 'Bad Name',
      seed: -1,
      finalAlias: 'best',
      tags: ['ok', ' no'],
      model: pretrain.ModelConfig.fromPartial({ dModel: 130, heads: 4, dropout: 1.5, maxLen: 64 }),
      training: pretrain.TrainingConfig.fromPartial({
        learningRate: NaN,
        warmupSteps: 5000,
        batchSize: 0,
        clipNorm: -1,
        maskProb: 0,
        beta2: 1,
        minLearningRate: 1,
      }),
    });
    expect(messages(bad)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^model_name: "Bad Name" is not valid/),
        expect.stringMatching(/^seed: -1 is not an integer/),
        'final_alias: "best" is reserved (latest, latest-checkpoint, best)',
        expect.stringMatching(/^tags\[1\]: " no" is not valid/),
        'model.d_model: 130 is not divisible by model.heads 4',
        'model.dropout: 1.5 is not a finite number ≥ 0 and < 1',
        'model.max_len: 64 is shorter than training.seq_len 128',
        'training.learning_rate: NaN is not a finite number > 0 and ≤ 10',
        "training.warmup_steps: 5000 must be less than the run's 2000 steps",
        'training.batch_size: 0 is not an integer between 1 and 4096',
        'training.clip_norm: -1 is not a finite number ≥ 0',
        'training.mask_prob: 0 is not a finite number > 0 and < 1',
        'training.beta2: 1 is not a finite number ≥ 0 and < 1',
      ]),
    );
  });

  it('keeps the decay floor under the peak', () => {
    const t = pretrain.TrainingConfig.fromPartial({ learningRate: 1e-3, minLearningRate: 1e-2 });
    expect(messages(spec({ training: t }))).toEqual([
      'training.min_learning_rate: 0.01 exceeds training.learning_rate 0.001',
    ]);
  });

  it('checks the vocabulary against the shards and requires the shards', () => {
    expect(messages(spec({ model: pretrain.ModelConfig.fromPartial({ vocabSize: 100 }) }), 8192)).toEqual([
      "model.vocab_size: 100 is smaller than the shards' vocabulary (8192)",
    ]);
    expect(messages(spec({ shards: undefined }))).toEqual([
      'shards: is required (a token-shards dataset, e.g. wiki-shards:1, or a mixture)',
    ]);
    expect(messages(spec({ model: pretrain.ModelConfig.fromPartial({ vocabSize: 9000 }) }), 8192)).toEqual(
      [],
    );
  });

  it('refuses unknown enum values', () => {
    const s = spec({
      training: pretrain.TrainingConfig.fromPartial({
        decay: 9 as pretrain.LrDecay,
        backend: 7 as pretrain.Backend,
      }),
    });
    expect(messages(s)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^training.decay: 9/),
        expect.stringMatching(/^training.backend: 7/),
      ]),
    );
  });

  it('takes a mixture instead of shards: weights normalised into the training config, one source as none', () => {
    const ref = (name: string) => ({ name, selector: { $case: 'version' as const, version: 1 } });
    const mixed = spec({
      shards: undefined,
      mixture: [
        { shards: ref('general'), weight: 3 },
        { shards: ref('domain'), weight: 1 },
      ],
    });
    const { problems, resolved } = resolveRunSpec(mixed, { vocabSize: 8192 });
    expect(problems).toEqual([]);
    expect(resolved.training.mixture).toEqual([0.75, 0.25]);
    expect(resolved.spec.mixture).toEqual(mixed.mixture);
    expect(runSources(mixed).map((s) => [s.ref.name, s.weight, s.field])).toEqual([
      ['general', 3, 'mixture[0].shards'],
      ['domain', 1, 'mixture[1].shards'],
    ]);
    expect(runSources(spec()).map((s) => [s.ref.name, s.weight, s.field])).toEqual([
      ['wiki-shards', 1, 'shards'],
    ]);
    // A mixture of one source is that source with weight 1: no mixing.
    const one = spec({ shards: undefined, mixture: [{ shards: ref('general'), weight: 0.5 }] });
    expect(resolveRunSpec(one).resolved.training.mixture).toBeUndefined();
  });

  it('refuses bad weights, too many sources, a source without shards, and shards with a mixture', () => {
    const ref = { name: 'general', selector: { $case: 'version' as const, version: 1 } };
    const bad = spec({
      shards: undefined,
      mixture: [
        { shards: ref, weight: 0 },
        { shards: ref, weight: -1 },
        { shards: ref, weight: NaN },
        { shards: ref, weight: Infinity },
        { shards: undefined, weight: 1 },
      ],
    });
    expect(messages(bad)).toEqual([
      'mixture[0].weight: 0 is not a finite number > 0 and ≤ 1000000000000',
      'mixture[1].weight: -1 is not a finite number > 0 and ≤ 1000000000000',
      'mixture[2].weight: NaN is not a finite number > 0 and ≤ 1000000000000',
      'mixture[3].weight: Infinity is not a finite number > 0 and ≤ 1000000000000',
      'mixture[4].shards: is required (a token-shards dataset, e.g. wiki-shards:1)',
    ]);
    const many = spec({
      shards: undefined,
      mixture: Array.from({ length: MAX_MIXTURE_SOURCES + 1 }, () => ({ shards: ref, weight: 1 })),
    });
    expect(messages(many)).toEqual([`mixture: 17 sources; a run mixes at most ${MAX_MIXTURE_SOURCES}`]);
    expect(messages(spec({ mixture: [{ shards: ref, weight: 1 }] }))).toEqual([
      'mixture: set either shards (one source) or mixture, not both',
    ]);
  });
});
