import type { BuildReport } from './build-shipped-data';

/** The human-readable summary the CLI prints after a build. */
export function formatSummary(outDir: string, report: BuildReport, seconds: number): string {
  const { manifest, rebuilt, reused } = report;
  const spam = manifest.spamAssassin;
  const corpus = manifest.pretrainCorpus;
  const lines = [`Shipped data in ${outDir} (${seconds.toFixed(1)} s; seed ${manifest.seed})`];
  for (const [file, entry] of Object.entries(manifest.files)) {
    const state = reused.includes(file) ? 'reused' : rebuilt.includes(file) ? 'built' : '';
    lines.push(
      `  ${file.padEnd(24)} ${mb(entry.bytes).padStart(8)}  ${String(entry.documents).padStart(6)} docs  ` +
        `${formatCounts(entry.splits)}  ${state}  sha256 ${entry.sha256.slice(0, 12)}`,
    );
  }
  const sources = Object.entries(corpus.bySource)
    .map(
      ([name, s]) =>
        `${name} ${s.documents} docs / ${mb(s.characters, 'M chars')} / ${mb(s.words, 'M words')}`,
    )
    .join(', ');
  lines.push(`  corpus by source: ${sources}`);
  lines.push(
    `  corpus decontamination (${corpus.decontamination.ngram}-grams vs ${corpus.decontamination.protectedTexts} task texts): ` +
      `${corpus.decontamination.droppedDocuments.length} documents dropped`,
  );
  const definitions = corpus.definitionDecontamination;
  lines.push(
    `  corpus vs ${definitions.protectedTexts} dictionary dev/test definitions: ${definitions.excludedDefinitions.exact} ` +
      `exact and ${definitions.excludedDefinitions.near} near (${definitions.ngram}-gram) copies left out, ` +
      `${definitions.droppedDocuments.length} other documents dropped`,
  );
  const dictionary = manifest.dictionaryDomains;
  lines.push(
    `  dictionary-domains: ${dictionary.examples} definitions, ${dictionary.labels.length} classes (cap ${dictionary.classCap}); ` +
      `split ${formatCounts(manifest.files['dictionary-domains.jsonl']?.splits ?? {})}`,
  );
  lines.push(
    `  spam-assassin: ${spam.rawEmails} raw → ${spam.examples} (empty ${spam.dropped.emptyBody}, exact dup ` +
      `${spam.dropped.exactDuplicates}, near dup ${spam.dropped.nearDuplicates}); ham ${spam.classBalance.ham} / spam ` +
      `${spam.classBalance.spam}; capped at ${spam.lengthCap} chars: ${spam.truncated}`,
  );
  lines.push(`  split:      ${formatLabelled(spam.splits)}`);
  lines.push(`  time_split: ${formatLabelled(spam.timeSplits)}`);
  return `${lines.join('\n')}\n`;
}

function mb(n: number, unit = 'MB'): string {
  return `${(n / 1e6).toFixed(2)} ${unit}`;
}

function formatCounts(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

function formatLabelled(splits: Readonly<Record<string, Readonly<Record<string, number>>>>): string {
  return Object.entries(splits)
    .map(([name, byLabel]) => `${name} ${formatCounts(byLabel)}`)
    .join(' | ');
}
