import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { makeTempDir } from '@headstart/testing';
import {
  STUDY_FORMAT,
  buildStudy,
  escapeXml,
  renderCurveFigure,
  renderDifferenceFigure,
  renderReportMarkdown,
  renderStudyJson,
  writeReportFolder,
  type Arm,
  type Budget,
  type Study,
  type Trial,
} from '../index';

/**
 * A minimal XML well-formedness check: one root element, tags nest and match, attributes are quoted
 * and unique, entity references are the predefined or numeric ones, no raw '<' or '&' in text.
 */
function checkWellFormed(xml: string): void {
  const token = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<\/?[^>]*>|[^<]+/g;
  const name = '[A-Za-z_:][-A-Za-z0-9_:.]*';
  const attribute = new RegExp(`\\s+(${name})\\s*=\\s*("[^"<]*"|'[^'<]*')`, 'g');
  const stack: string[] = [];
  let roots = 0;
  let consumed = 0;
  for (const match of xml.matchAll(token)) {
    const text = match[0];
    consumed += text.length;
    if (text.startsWith('<!--') || text.startsWith('<?')) continue;
    if (!text.startsWith('<')) {
      checkEntities(text);
      if (stack.length === 0 && text.trim() !== '') throw new Error(`text outside the root: ${text}`);
      continue;
    }
    const close = new RegExp(`^</(${name})\\s*>$`).exec(text);
    if (close) {
      if (stack.pop() !== close[1]) throw new Error(`mismatched ${text}`);
      continue;
    }
    const open = new RegExp(`^<(${name})((?:\\s+${name}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>$`).exec(
      text,
    );
    if (!open) throw new Error(`malformed tag ${text}`);
    const names = [...open[2]!.matchAll(attribute)].map((a) => {
      checkEntities(a[2]!);
      return a[1]!;
    });
    if (new Set(names).size !== names.length) throw new Error(`duplicate attribute in ${text}`);
    if (stack.length === 0) roots++;
    if (open[3] !== '/') stack.push(open[1]!);
  }
  if (consumed !== xml.length) throw new Error('stray "<"');
  if (stack.length > 0 || roots !== 1) throw new Error(`unclosed ${stack.join(' > ')} or ${roots} roots`);
}

function checkEntities(text: string): void {
  for (const m of text.matchAll(/&([^;\s]*);?/g)) {
    if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(m[0])) throw new Error(`bad entity ${m[0]}`);
  }
}

function trial(budget: Budget, seed: number, arm: Arm, accuracy: number): Trial {
  const budgetExamples = budget === 'all' ? 4913 : budget;
  return { budget, budgetExamples, seed, arm, split: 'test', accuracy, macroF1: accuracy - 0.02 };
}

function sampleStudy(): Study {
  const trials: Trial[] = [];
  for (const [budget, base, gain] of [
    [50, 0.3, 0.01],
    [200, 0.5, 0.1],
    ['all', 0.8, 0],
  ] as const) {
    for (let seed = 0; seed < 4; seed++) {
      const wobble = [0.01, -0.01, 0.02, -0.02][seed]!;
      trials.push(trial(budget, seed, 'scratch', base + 0.01 * seed));
      trials.push(trial(budget, seed, 'pretrained', base + 0.01 * seed + gain + wobble));
      trials.push(trial(budget, seed, 'naive_bayes', base + 0.04));
    }
    trials.push(trial(budget, 0, 'logistic_regression', base + 0.03));
  }
  return buildStudy(trials, {
    metric: 'accuracy',
    metadata: {
      dataset: { name: 'gcide <domains> & "co"', version: 'v1', details: { classes: 10 } },
      base: { name: 'base|10M', details: { tokens: 10_000_000 } },
      notes: ['lr 1e-4 | 30 epochs'],
    },
  });
}

describe('SVG figures', () => {
  const study = sampleStudy();
  const figures = {
    accuracy: renderCurveFigure(study.summary, 'accuracy'),
    macroF1: renderCurveFigure(study.summary, 'macroF1'),
    difference: renderDifferenceFigure(study.summary),
  };

  it.each(Object.entries(figures))('%s is a well-formed standalone SVG', (_, svg) => {
    checkWellFormed(svg);
    expect(svg).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="640" height="400" viewBox="0 0 640 400"/,
    );
  });

  it('draws one line and band per arm, with a legend, ticks at every budget and axis titles', () => {
    const svg = figures.accuracy;
    for (const arm of ['pretrained', 'scratch', 'naive_bayes', 'logistic_regression']) {
      expect(svg).toContain(`data-arm="${arm}"`);
    }
    // logistic regression has one seed per budget: no band for it.
    expect(svg.match(/class="band"/g)).toHaveLength(3);
    for (const label of [
      'pre-trained',
      'from scratch',
      'naive Bayes',
      'logistic regression',
      '>50<',
      '>200<',
      '>all<',
      '(4,913)',
    ]) {
      expect(svg).toContain(label);
    }
    expect(svg).toContain('labelled training examples (log scale)');
    expect(svg).toContain('accuracy (points)');
    expect(figures.macroF1).toContain('macro-F1 (points)');
  });

  it('plots the paired difference with error bars and a zero line', () => {
    const svg = figures.difference;
    expect(svg).toContain('data-series="pretrained-minus-scratch"');
    expect(svg).toContain('class="zero"');
    expect(svg).toContain('+10.0');
    expect(svg).not.toContain('hollow: 1 seed');
  });

  it('escapes text, and the checker catches what escaping prevents', () => {
    expect(escapeXml(`a<b & "c" 'd'\u0001`)).toBe('a&lt;b &amp; &quot;c&quot; &apos;d&apos;');
    expect(() => checkWellFormed('<svg><text>a < b</text></svg>')).toThrow();
    expect(() => checkWellFormed('<svg><g></svg>')).toThrow();
    expect(() => checkWellFormed('<svg a="1" a="2"/>')).toThrow();
    expect(() => checkWellFormed('<svg>&nbsp;</svg>')).toThrow();
  });
});

describe('renderReportMarkdown', () => {
  const markdown = renderReportMarkdown(sampleStudy());
  const lines = markdown.split('\n');

  it('has the title, escaped identity and the computed verdict', () => {
    expect(lines[0]).toBe('# Transfer study: gcide \\<domains\\> \\& "co" on base\\|10M');
    expect(markdown).toContain('- Dataset: **gcide \\<domains\\> \\& "co"** (version v1) — classes: 10');
    expect(markdown).toContain('tokens: 10,000,000');
    expect(markdown).toMatch(
      /\*\*\+10\.0 points accuracy at 200 labels, 95% CI \[[\d.]+, [\d.]+\], 4 seeds: the pre-trained base helps\.\*\*/,
    );
    expect(markdown).toContain('Against the better bag-of-words baseline at 200 labels (naive Bayes)');
  });

  it('tables every budget × arm with mean ± half-width, one seed without ±', () => {
    const header = lines.indexOf('| Labels | Arm | Seeds | Accuracy | Macro-F1 |');
    expect(header).toBeGreaterThan(0);
    const rows = lines
      .slice(header + 2, header + 2 + 12)
      .map((l) => l.split(' | ').map((c) => c.replace(/^\| |\s\|$/g, '')));
    expect(rows.map((r) => [r[0], r[1]])).toEqual(
      ['50', '200', 'all (4,913)'].flatMap((b) =>
        ['pre-trained', 'from scratch', 'naive Bayes', 'logistic regression'].map((a) => [b, a]),
      ),
    );
    // scratch at 200: 50, 51, 52, 53 → mean 51.5, s = 1.291, t(0.975, 3) = 3.182 → ± 2.1
    expect(rows[5]).toEqual(['200', 'from scratch', '4', '51.5 ± 2.1', '49.5 ± 2.1']);
    expect(rows[7]).toEqual(['200', 'logistic regression', '1', '53.0', '51.0']);
  });

  it('tables the paired differences per budget and links the figures', () => {
    const row200 = lines.find((l) => l.startsWith('| 200 | 4 |'));
    // differences 11, 9, 12, 8: mean 10, s = √(10/3), ± 3.182·s/2 = 2.9; vs naive Bayes 7, 6, 10, 7.
    expect(row200).toBe(
      '| 200 | 4 | +10.0 [7.1, 12.9] | +10.0 [7.1, 12.9] | 4/4 | naive Bayes | +7.5 [4.7, 10.3] | +7.5 [4.7, 10.3] |',
    );
    expect(markdown).toContain('![Accuracy vs labels](accuracy.svg)');
    expect(markdown).toContain('![Macro-F1 vs labels](macro-f1.svg)');
    expect(markdown).toContain('(paired-difference.svg)');
    expect(markdown).toContain('- lr 1e-4 \\| 30 epochs');
  });
});

describe('renderStudyJson and writeReportFolder', () => {
  it('writes a versioned JSON document', () => {
    const doc = JSON.parse(renderStudyJson(sampleStudy()));
    expect(doc.format).toBe(STUDY_FORMAT);
    expect(doc.formatVersion).toBe(1);
    expect(Object.keys(doc)).toEqual([
      'format',
      'formatVersion',
      'title',
      'createdAt',
      'dataset',
      'base',
      'notes',
      'metric',
      'split',
      'level',
      'units',
      'verdict',
      'budgets',
      'trials',
    ]);
    expect(doc.budgets.map((b: { budget: Budget }) => b.budget)).toEqual([50, 200, 'all']);
    expect(doc.budgets[1].pretrainedVsScratch.accuracy.mean).toBe(10);
    expect(doc.trials).toHaveLength(39);
    expect(doc.trials[0].steps).toBeNull();
  });

  it('writes every file and leaves no temporary ones', async () => {
    await using dir = await makeTempDir('study-report');
    const target = path.join(dir.path, 'nested', 'report');
    const files = await writeReportFolder(target, sampleStudy());
    expect(files.map((f) => path.basename(f))).toEqual([
      'study.json',
      'report.md',
      'accuracy.svg',
      'macro-f1.svg',
      'paired-difference.svg',
    ]);
    expect((await fs.readdir(target)).sort()).toEqual(files.map((f) => path.basename(f)).sort());
    checkWellFormed(await fs.readFile(path.join(target, 'paired-difference.svg'), 'utf8'));
  });
});
