// A small, seeded synthetic corpus for tests: real English words with inflections, capitals,
// punctuation, numbers and a few accented words, so merges look like those on real text.
const STEMS = (
  'the of and to in is was he for it with as his on be at by had are but from or have an they which one ' +
  'you were her all she there would their we him been has when who will more no if out so said what up ' +
  'its about into than them can only other new some could time these two may then do first any my now ' +
  'such like our over man me even most made after also did many before must through back years where much ' +
  'your way well down should because each just those people how too little state good very make world ' +
  'still own see men work long get here between both life being under never day same another know while ' +
  'last might us great old year off come since against go came right used take three nation government ' +
  'congress country public power war peace trade union law president citizen treasury army navy'
).split(' ');
const SUFFIXES = ['', '', '', 's', 'ed', 'ing', 'ly', 'er', 'ness', 'ment'];
const EXTRA = ['café', 'naïve', 'résumé', 'Zürich', 'São', 'Paulo', 'coöperate', 'façade', 'élite'];
const PUNCT = ['.', ',', ';', ':', '!', '?', '—', '"', "'s", '(', ')'];

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` documents of a few sentences each, the same for the same seed. */
export function syntheticCorpus(count: number, seed = 1): string[] {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  // Zipf-like: earlier stems are much more frequent.
  const stem = (): string => STEMS[Math.floor(STEMS.length * rand() * rand())]!;
  const docs: string[] = [];
  for (let d = 0; d < count; d++) {
    const sentences: string[] = [];
    const n = 1 + Math.floor(rand() * 4);
    for (let s = 0; s < n; s++) {
      const words: string[] = [];
      const len = 4 + Math.floor(rand() * 12);
      for (let w = 0; w < len; w++) {
        const r = rand();
        let word =
          r < 0.04 ? pick(EXTRA) : r < 0.07 ? String(Math.floor(rand() * 2000)) : stem() + pick(SUFFIXES);
        if (w === 0 || rand() < 0.05) word = word[0]!.toUpperCase() + word.slice(1);
        if (rand() < 0.08) word += pick(PUNCT);
        words.push(word);
      }
      sentences.push(`${words.join(' ')}.`);
    }
    docs.push(sentences.join(' '));
  }
  return docs;
}
