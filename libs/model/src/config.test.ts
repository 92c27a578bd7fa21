import { InvalidConfigError, assertValidConfig, resolveConfig, validateConfig } from './config';
import { fromHfConfig, toHfConfig } from './hf-config';

describe('validateConfig', () => {
  const valid = resolveConfig({ vocabSize: 100 });

  it('accepts the defaults', () => {
    expect(validateConfig(valid)).toEqual([]);
  });

  it('names the field of each problem', () => {
    const fields = (overrides: Record<string, unknown>) =>
      validateConfig({ ...valid, ...overrides }).map((p) => p.field);
    expect(fields({ dModel: 130, heads: 4 })).toEqual(['dModel']);
    expect(fields({ heads: 0 })).toEqual(['heads']);
    expect(fields({ layers: 1.5 })).toEqual(['layers']);
    expect(fields({ vocabSize: -3 })).toEqual(['vocabSize']);
    expect(fields({ ff: '512' })).toEqual(['ff']);
    expect(fields({ maxLen: undefined })).toEqual(['maxLen']);
    expect(fields({ dropout: 1 })).toEqual(['dropout']);
    expect(fields({ dropout: NaN })).toEqual(['dropout']);
    expect(fields({ layerNormEps: 0 })).toEqual(['layerNormEps']);
    expect(fields({ initStd: Infinity })).toEqual(['initStd']);
    expect(fields({ dModel: 0, dropout: -0.1 })).toEqual(['dModel', 'dropout']);
  });

  it('says what is wrong in the message', () => {
    const [problem] = validateConfig({ ...valid, dModel: 130, heads: 4 });
    expect(problem?.message).toBe('dModel (130) must be divisible by heads (4)');
  });

  it('throws every problem at once from assertValidConfig', () => {
    const error = (() => {
      try {
        assertValidConfig({ ...valid, heads: 0, dropout: 2 });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).problems.map((p) => p.field)).toEqual(['heads', 'dropout']);
  });
});

describe('HF config.json', () => {
  it('round-trips through Megatron-BERT keys', () => {
    const config = resolveConfig({
      vocabSize: 8192,
      dModel: 256,
      heads: 4,
      layers: 4,
      ff: 1024,
      dropout: 0.05,
    });
    const hf = toHfConfig(config, { labels: ['ham', 'spam'] });
    expect(hf).toMatchObject({
      model_type: 'megatron-bert',
      hidden_size: 256,
      num_hidden_layers: 4,
      intermediate_size: 1024,
      hidden_act: 'gelu',
      layer_norm_eps: 1e-5,
      id2label: { '0': 'ham', '1': 'spam' },
    });
    expect(fromHfConfig(JSON.parse(JSON.stringify(hf)))).toEqual(config);
  });

  it('refuses post-LN BERT configs', () => {
    expect(() => fromHfConfig({ model_type: 'bert', hidden_size: 128 })).toThrow(/megatron-bert/);
  });
});
