import { brownToText, detokenize } from './brown';

describe('brownToText', () => {
  it("strips tags, maps `` and '' to double quotes and fixes spacing around punctuation", () => {
    const raw =
      "\n\n\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ,/, which/wdt ,/, if/cs true/jj ,/, " +
      'was/bedz (/( rare/jj )/) ./.\n';
    expect(brownToText(raw)).toBe('The jury said "no evidence", which, if true, was (rare).');
  });

  it('keeps paragraph breaks, joins sentences of a paragraph, and splits at the last slash', () => {
    const raw =
      '\n\n\tIt/pps cost/vbd 1/2/cd cent/nn ./.\nIt/pps did/dod ./.\n\n\n\tNew/jj paragraph/nn ?/.\n';
    expect(brownToText(raw)).toBe('It cost 1/2 cent. It did.\n\nNew paragraph?');
  });

  it('sets headlines apart and drops the period Brown repeats after an abbreviation', () => {
    const raw = '\n\n\tMerger/nn-hl proposed/vbn-hl \nWon/vbn by/in Ivan/np Allen/np Jr./np ./.\n';
    expect(brownToText(raw)).toBe('Merger proposed\n\nWon by Ivan Allen Jr.');
  });
});

describe('detokenize', () => {
  it('treats bare single quotes as alternating open/close quotes', () => {
    expect(detokenize(['more', "'", 'pro', "'", 'letters', ';', 'done', '!'])).toBe(
      "more 'pro' letters; done!",
    );
  });

  it("attaches n't and keeps dashes spaced", () => {
    expect(detokenize(['men', '--', 'who', 'did', "n't", 'care'])).toBe("men -- who didn't care");
  });
});
