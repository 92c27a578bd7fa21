// Writes the whole report folder. Each file goes to a temporary name in the same directory first and
// is renamed over its final name only when every file is written, so a reader (or a crash mid-way)
// never sees a half-written file, and a failed write leaves the previous report in place.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Study } from '../study';
import { DIFFERENCE_FILE, renderDifferenceFigure } from './difference-figure';
import { CURVE_FILES, renderCurveFigure } from './figures';
import { renderStudyJson } from './json';
import { renderReportMarkdown } from './markdown';

export const STUDY_JSON_FILE = 'study.json';
export const REPORT_MARKDOWN_FILE = 'report.md';

/** The report's files by name, rendered in memory. */
export function renderReportFiles(study: Study): Map<string, string> {
  return new Map([
    [STUDY_JSON_FILE, renderStudyJson(study)],
    [REPORT_MARKDOWN_FILE, renderReportMarkdown(study)],
    [CURVE_FILES.accuracy, renderCurveFigure(study.summary, 'accuracy')],
    [CURVE_FILES.macroF1, renderCurveFigure(study.summary, 'macroF1')],
    [DIFFERENCE_FILE, renderDifferenceFigure(study.summary)],
  ]);
}

/**
 * Writes study.json, report.md, accuracy.svg, macro-f1.svg and paired-difference.svg into `dir`
 * (created if missing) and returns their absolute paths in that order.
 */
export async function writeReportFolder(dir: string, study: Study): Promise<string[]> {
  const target = path.resolve(dir);
  await fs.mkdir(target, { recursive: true });
  const files = [...renderReportFiles(study)];
  const suffix = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const written: string[] = [];
  try {
    for (const [name, content] of files) {
      const temporary = path.join(target, name + suffix);
      written.push(temporary);
      await fs.writeFile(temporary, content, 'utf8');
    }
    for (const [name] of files) await fs.rename(path.join(target, name + suffix), path.join(target, name));
  } catch (error) {
    // Leave no temporary files behind; the renames already done (if any) are complete files.
    await Promise.all(written.map((file) => fs.rm(file, { force: true })));
    throw error;
  }
  return files.map(([name]) => path.join(target, name));
}
