import { decodeEntities, stripHtml } from './html';

describe('decodeEntities', () => {
  it('decodes named, decimal and hex references', () => {
    expect(decodeEntities('Tom &amp; Jerry &lt;3 &copy; &#8364;5 &#x41;&#X42; caf&eacute;')).toBe(
      'Tom & Jerry <3 © €5 AB café',
    );
  });

  it('maps no-break spaces to spaces and leaves unknown or bare ampersands alone', () => {
    expect(decodeEntities('a&nbsp;b&#160;c AT&T &bogus; &')).toBe('a b c AT&T &bogus; &');
  });

  it('replaces invalid code points with a space instead of throwing', () => {
    expect(decodeEntities('x&#0;y&#xD800;z&#1114112;.')).toBe('x y z .');
  });
});

describe('stripHtml', () => {
  it('removes tags, scripts, styles, comments and the head, keeping visible text', () => {
    const html =
      '<!DOCTYPE html><html><head><title>T</title><style>p{color:red}</style></head>' +
      '<body><!-- hidden --><p>Buy <b>N</b>OW!</p><script>alert(1)</script><br>Only&nbsp;$5 &gt; $4</body></html>';
    expect(stripHtml(html).replace(/\s+/g, ' ').trim()).toBe('Buy NOW! Only $5 > $4');
  });

  it('keeps e-mail addresses and URLs in angle brackets, and literal escaped tags as text', () => {
    expect(stripHtml('Write to <jo@example.com> or <http://x.org/> &lt;b&gt;')).toBe(
      'Write to <jo@example.com> or <http://x.org/> <b>',
    );
  });

  it('handles attributes containing > inside quotes', () => {
    expect(stripHtml('<a href="x?a>b" title=\'c>d\'>link</a>')).toBe('link');
  });
});
