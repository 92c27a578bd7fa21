import { domainMarks, removeDomainMarks } from './domain-marks';

describe('subject marks', () => {
  it('finds the task classes in their spellings', () => {
    expect([...domainMarks('(Zool.) A fish.').domains]).toEqual(['zoology']);
    expect([...domainMarks('(Zoöl.) A fish; (Zool) again').domains]).toEqual(['zoology']);
    expect([...domainMarks('(Law) A deed, (Music) a tune').domains]).toEqual(['law', 'music']);
    expect(domainMarks('(Eng. Law) A writ. (Old Chem.) A salt. (Leuciscus alburnus)').domains.size).toBe(0);
  });

  it('flags compound marks that name a class with another field', () => {
    expect(domainMarks('(Bot. & Zool.) Having two teeth.')).toEqual({ domains: new Set(), mixed: true });
    expect(domainMarks('(Physiol. & Med.) x').mixed).toBe(true);
  });

  it('removes the marks and tidies what is left', () => {
    expect(removeDomainMarks('(Zool.), a bird that catches gnats.')).toBe('a bird that catches gnats.');
    expect(removeDomainMarks('A stalk (Bot.) or stem (Leuciscus).')).toBe('A stalk or stem (Leuciscus).');
  });
});
