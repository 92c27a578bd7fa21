import {
  createBertPreTokenizer,
  createByteLevelPreTokenizer,
  originalString,
  type PreTokenizer,
} from './index';

function split(p: PreTokenizer, text: string): Array<[string, number, number]> {
  const out: Array<[string, number, number]> = [];
  p.preTokenize(originalString(text), (word, from, to) => out.push([word, from, to]));
  const words: string[] = [];
  p.splitWords(text, (w) => words.push(w));
  expect(words).toEqual(out.map(([w]) => w));
  return out;
}

describe('BERT pre-tokenizer', () => {
  it('splits on whitespace and isolates punctuation, with offsets', () => {
    expect(split(createBertPreTokenizer(), "Hey, friend!  It's $5.")).toEqual([
      ['Hey', 0, 3],
      [',', 3, 4],
      ['friend', 5, 11],
      ['!', 11, 12],
      ['It', 14, 16],
      ["'", 16, 17],
      ['s', 17, 18],
      ['$', 19, 20],
      ['5', 20, 21],
      ['.', 21, 22],
    ]);
  });

  it('keeps astral characters whole and splits on Unicode punctuation', () => {
    expect(split(createBertPreTokenizer(), 'a😀b«c»').map(([w]) => w)).toEqual(['a😀b', '«', 'c', '»']);
  });
});

describe('byte-level pre-tokenizer', () => {
  const byteLevel = createByteLevelPreTokenizer();

  it('follows the GPT-2 pattern (Hugging Face test cases)', () => {
    expect(split(byteLevel, 'Hello my friend, how is your day going?')).toEqual([
      ['Hello', 0, 5],
      ['Ġmy', 5, 8],
      ['Ġfriend', 8, 15],
      [',', 15, 16],
      ['Ġhow', 16, 20],
      ['Ġis', 20, 23],
      ['Ġyour', 23, 28],
      ['Ġday', 28, 32],
      ['Ġgoing', 32, 38],
      ['?', 38, 39],
    ]);
    expect(split(byteLevel, 'Hello there       dear').map(([w]) => w)).toEqual([
      'Hello',
      'Ġthere',
      'ĠĠĠĠĠĠ',
      'Ġdear',
    ]);
    expect(split(byteLevel, 'Hello there\nHello there').map(([w]) => w)).toEqual([
      'Hello',
      'Ġthere',
      'Ċ',
      'Hello',
      'Ġthere',
    ]);
    expect(split(byteLevel, "I'm don't we'll").map(([w]) => w)).toEqual([
      'I',
      "'m",
      'Ġdon',
      "'t",
      'Ġwe',
      "'ll",
    ]);
  });

  it('maps multi-byte characters to one symbol per byte and points them at their character', () => {
    const out: Array<[string, number, number, number[] | null]> = [];
    byteLevel.preTokenize(originalString('i⭢j'), (w, from, to, map) =>
      out.push([w, from, to, map && [...map]]),
    );
    expect(out).toEqual([
      ['i', 0, 1, null],
      ['âŃ¢', 1, 2, [1, 1, 1]],
      ['j', 2, 3, null],
    ]);
  });

  it('adds a prefix space when asked', () => {
    const prefixed = createByteLevelPreTokenizer({ addPrefixSpace: true });
    expect(split(prefixed, 'Hello world')).toEqual([
      ['ĠHello', 0, 5],
      ['Ġworld', 5, 11],
    ]);
    expect(split(prefixed, ' Hello').map(([w]) => w)).toEqual(['ĠHello']);
  });
});
