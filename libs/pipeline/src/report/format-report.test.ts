import { sparkline } from './format-report';

describe('sparkline', () => {
  it('maps the lowest value to the lowest bar and the highest to the highest', () => {
    expect(sparkline([9, 7.5, 6])).toBe('█▅▁');
  });

  it('draws a flat line for equal values and a gap for non-numbers', () => {
    expect(sparkline([2, 2])).toBe('▁▁');
    expect(sparkline([3, NaN, 1])).toBe('█ ▁');
    expect(sparkline([])).toBe('');
  });
});
