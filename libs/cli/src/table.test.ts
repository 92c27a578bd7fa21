import { formatFields, formatTable } from './table';

describe('formatTable', () => {
  it('aligns columns (right-aligned ones with their header) with two spaces and no trailing blanks', () => {
    const text = formatTable(
      [{ header: 'name' }, { header: 'size', align: 'right' }, { header: 'tags' }],
      [
        ['bert-tiny', '12.0 MiB', 'nightly'],
        ['wiki', '3 B', ''],
      ],
    );
    expect(text).toBe(
      ['NAME           SIZE  TAGS', 'bert-tiny  12.0 MiB  nightly', 'wiki            3 B', ''].join('\n'),
    );
  });

  it('prints only the header for no rows and pads short rows', () => {
    expect(formatTable([{ header: 'a' }, { header: 'b' }], [])).toBe('A  B\n');
    expect(formatTable([{ header: 'a' }, { header: 'b' }], [['x']])).toBe('A  B\nx\n');
  });

  it('keeps each row on one line and counts code points, not UTF-16 units', () => {
    const text = formatTable(
      [{ header: 'alias' }, { header: 'x' }],
      [
        ['prod→3', '1'],
        ['a\nb', '2'],
      ],
    );
    expect(text.split('\n')).toEqual(['ALIAS   X', 'prod→3  1', 'a b     2', '']);
  });
});

describe('formatFields', () => {
  it('aligns values after the keys', () => {
    expect(
      formatFields([
        ['id', 'abc'],
        ['sha256', 'f00'],
        ['tags', ''],
      ]),
    ).toBe('id:      abc\nsha256:  f00\ntags:\n');
  });
});
