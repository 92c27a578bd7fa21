import { labelBudget, labelOrder } from './label-budget';

const examples = [
  ...Array.from({ length: 80 }, (_, i) => ({ id: `h${i}`, label: 'ham' })),
  ...Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, label: 'spam' })),
];
const countSpam = (xs: { label: string }[]): number => xs.filter((x) => x.label === 'spam').length;

describe('labelBudget', () => {
  it('takes the first K of a stratified order: class proportions hold in every prefix', () => {
    expect(countSpam(labelBudget(examples, 10, 1))).toBe(2);
    expect(countSpam(labelBudget(examples, 50, 1))).toBe(10);
    for (let k = 1; k <= examples.length; k++) {
      expect(Math.abs(countSpam(labelBudget(examples, k, 1)) - k * 0.2)).toBeLessThanOrEqual(1);
    }
  });

  it('shows every class from a budget as small as the number of classes, largest class first', () => {
    expect(labelBudget(examples, 2, 5).map((x) => x.label)).toEqual(['ham', 'spam']);
    const skewed = [...examples.filter((x) => x.label === 'ham'), { id: 'only-spam', label: 'spam' }];
    expect(labelBudget(skewed, 2, 5).map((x) => x.id)).toContain('only-spam');
  });

  it('is nested (a bigger budget only adds) and deterministic per seed', () => {
    const small = labelBudget(examples, 20, 3);
    const large = labelBudget(examples, 60, 3);
    expect(large.slice(0, 20)).toEqual(small);
    expect(labelBudget([...examples].reverse(), 20, 3)).toEqual(small);
    expect(labelBudget(examples, 20, 4)).not.toEqual(small);
  });

  it('orders every item exactly once', () => {
    const order = labelOrder(examples, 9);
    expect(new Set(order.map((x) => x.id)).size).toBe(examples.length);
  });

  it('rejects budgets that are not positive integers or exceed the data', () => {
    expect(() => labelBudget(examples, 0, 1)).toThrow(RangeError);
    expect(() => labelBudget(examples, 1.5, 1)).toThrow(RangeError);
    expect(() => labelBudget(examples, 101, 1)).toThrow(/larger than the 100/);
  });
});
