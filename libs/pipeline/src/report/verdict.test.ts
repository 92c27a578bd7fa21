import { verdict, type VerdictInput } from './verdict';

const base: VerdictInput = {
  labelBudget: 200,
  pretrainTokens: 2_400_000,
  pretrained: { accuracy: 0.9, macroF1: 0.88 },
  scratch: { accuracy: 0.9, macroF1: 0.88 },
  evalLoss: 6.1,
  unigramCrossEntropy: 6.6,
};

describe('verdict', () => {
  it('calls a macro-F1 gain beyond the margin a head start, with the figures', () => {
    const text = verdict({ ...base, pretrained: { accuracy: 0.93, macroF1: 0.92 } });
    expect(text).toMatch(
      /^Head start: .* by \+4\.0 points test macro-F1 at 200 labels after 2\.4M pre-training tokens/,
    );
    expect(text).toContain('0.50 nats below the unigram baseline');
  });

  it('calls a difference within the margin no measurable head start', () => {
    const text = verdict({ ...base, pretrained: { accuracy: 0.9, macroF1: 0.89 } });
    expect(text).toMatch(
      /^No measurable head start at 200 labels after 2\.4M pre-training tokens: macro-F1 \+1\.0 points/,
    );
    expect(text).toContain('tens of millions of tokens');
  });

  it('says when the base did worse, and when its MLM loss stayed above the unigram level', () => {
    const text = verdict({ ...base, pretrained: { accuracy: 0.8, macroF1: 0.78 }, evalLoss: 6.9 });
    expect(text).toMatch(/^No head start: the pre-trained base trailed random init by 10\.0 points/);
    expect(text).toContain('did not get below the unigram baseline (0.30 nats above)');
  });

  it('writes small token counts in thousands', () => {
    expect(verdict({ ...base, pretrainTokens: 768 })).toContain('after 1k pre-training tokens');
  });
});
