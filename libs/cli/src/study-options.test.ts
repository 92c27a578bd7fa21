import { toStudySpec } from '@headstart/finetune-client';
import { finetune } from '@headstart/proto';
import { parseArms, parseBudgets, toStudySpecInput } from './commands/study-options';

describe('study start options', () => {
  it('parses budgets, "all" as 0, and refuses junk and repeats', () => {
    expect(parseBudgets('50,100, 200,500,all')).toEqual([50, 100, 200, 500, 0]);
    expect(parseBudgets('ALL')).toEqual([0]);
    expect(() => parseBudgets('50,,100')).toThrow(/positive integers or "all"/);
    expect(() => parseBudgets('0')).toThrow(/positive integers or "all"/);
    expect(() => parseBudgets('1.5')).toThrow(/positive integers or "all"/);
    expect(() => parseBudgets('50,all,50')).toThrow('--budgets lists 50 twice');
    expect(() => parseBudgets('all,all')).toThrow('--budgets lists all twice');
  });

  it('parses arms (dashes or underscores) and requires the pre-trained one', () => {
    expect(parseArms('pretrained, naive-bayes')).toEqual(['pretrained', 'naive_bayes']);
    expect(toStudySpec(toStudySpecInput('bert@final', 'spam', { arms: 'pretrained,scratch' })).arms).toEqual([
      'pretrained',
      'scratch',
    ]);
    expect(() => parseArms('pretrained,bow')).toThrow(/--arms takes .* got "bow"/);
    expect(() => parseArms('scratch')).toThrow('--arms must include pretrained');
  });

  it('leaves every unset option to the service', () => {
    expect(toStudySpecInput('bert@final', 'spam', {})).toEqual({
      base: 'bert@final',
      dataset: 'spam',
      pretrained: {},
      scratch: {},
    });
  });

  it('gives --lr to the pre-trained arm, --scratch-lr to the other, and the step knobs to both', () => {
    const input = toStudySpecInput('bert:3', 'spam@v1', {
      budgets: '50,all',
      seeds: '3',
      headline: '50',
      lr: '5e-4',
      scratchLr: '0.001',
      epochs: '4',
      minSteps: '100',
      pooling: 'CLS',
      textField: 'body',
      name: 'spam-study',
      tag: ['a', 'b'],
    });
    expect(input).toMatchObject({
      budgets: [50, 0],
      seeds: 3,
      headlineBudget: 50,
      pretrained: { learningRate: 5e-4, epochs: 4, minSteps: 100, pooling: 'cls' },
      scratch: { learningRate: 0.001, epochs: 4, minSteps: 100, pooling: 'cls' },
      textField: 'body',
      reportName: 'spam-study',
      tags: ['a', 'b'],
    });
    const spec = toStudySpec(input);
    expect(spec.scratchHyperparameters?.pooling).toBe(finetune.Pooling.POOLING_CLS);
    expect(spec.labelBudgets).toEqual([50, 0]);
  });

  it.each([
    [{ seeds: 'five' }, '--seeds must be a non-negative integer, got "five"'],
    [{ lr: '0' }, '--lr must be a positive number, got "0"'],
    [{ scratchLr: 'fast' }, '--scratch-lr must be a positive number, got "fast"'],
    [{ pooling: 'max' }, '--pooling must be mean or cls, got "max"'],
    [{ minSteps: '-1' }, '--min-steps must be a non-negative integer'],
  ])('refuses %j', (options, message) => {
    expect(() => toStudySpecInput('bert', 'spam', options)).toThrow(message);
  });
});
