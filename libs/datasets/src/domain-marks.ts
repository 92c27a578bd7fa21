/** The classes of the dictionary-domains task, in the order the manifest and the README list them. */
export const DICTIONARY_DOMAIN_LABELS = [
  'zoology',
  'botany',
  'chemistry',
  'medicine',
  'anatomy',
  'law',
  'nautical',
  'mineralogy',
  'music',
  'architecture',
] as const;
export type DictionaryDomain = (typeof DICTIONARY_DOMAIN_LABELS)[number];

/**
 * GCIDE's subject marks for each class, as the dictionary spells them (counted in gcide.dict): mostly
 * "(Zool.)", sometimes "(Zoöl.)" or "(Zool)"; "(Music)" and "(Botany)" in the newer entries. Qualified
 * marks such as "(Eng. Law)", "(Old Chem.)" or "(Physiol. Chem.)" are narrower fields and not used.
 */
const MARKS: Readonly<Record<string, DictionaryDomain>> = {
  'Zool.': 'zoology',
  Zool: 'zoology',
  'Zoöl.': 'zoology',
  'Bot.': 'botany',
  Bot: 'botany',
  Botany: 'botany',
  'Chem.': 'chemistry',
  Chem: 'chemistry',
  'Med.': 'medicine',
  Med: 'medicine',
  'Anat.': 'anatomy',
  Anat: 'anatomy',
  Law: 'law',
  'Law.': 'law',
  'Naut.': 'nautical',
  Naut: 'nautical',
  'Min.': 'mineralogy',
  Min: 'mineralogy',
  'Mus.': 'music',
  Mus: 'music',
  Music: 'music',
  'Arch.': 'architecture',
  Arch: 'architecture',
};

const PARENTHESISED = /\(([^()]{1,40})\)/g;

/** The task's classes marked in a definition, and whether a mark joins a class with another field. */
export interface DomainMarks {
  readonly domains: ReadonlySet<DictionaryDomain>;
  /** A compound mark naming one of the classes and something else: "(Bot. & Zool.)", "(Anat. & Med.)". */
  readonly mixed: boolean;
}

export function domainMarks(text: string): DomainMarks {
  const domains = new Set<DictionaryDomain>();
  let mixed = false;
  for (const [, content] of text.matchAll(PARENTHESISED)) {
    const parts = (content ?? '').split(/\s*(?:&|,|\band\b)\s*/).filter(Boolean);
    const known = parts.map((p) => MARKS[p]).filter((d): d is DictionaryDomain => d !== undefined);
    if (known.length === 0) continue;
    if (parts.length === 1 && known[0]) domains.add(known[0]);
    else mixed = true;
  }
  return { domains, mixed };
}

/** The definition without the task's subject marks (single or compound), spaces and commas tidied. */
export function removeDomainMarks(text: string): string {
  return text
    .replace(PARENTHESISED, (whole, content: string) => {
      const parts = content.split(/\s*(?:&|,|\band\b)\s*/).filter(Boolean);
      return parts.some((p) => MARKS[p] !== undefined) ? ' ' : whole;
    })
    .replace(/\s+([,;.])/g, '$1')
    .replace(/\s+/g, ' ')
    .replace(/^[\s,;:.]+/, '')
    .trim();
}
