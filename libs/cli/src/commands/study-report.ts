// `headstart study report ID --out DIR`: the study's REPORT version, downloaded and unpacked.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Code, HeadstartError } from '@headstart/errors';
import { formatJobState, type FinetuneClient } from '@headstart/finetune-client';
import { common, type finetune } from '@headstart/proto';
import { versionRef, type RegistryClient } from '@headstart/registry-client';
import { formatBytes, versionLabel } from '../format';
import type { Output } from '../output';
import { readTarFiles, type TarFile } from '../tar-reader';

export interface StudyReportOptions {
  /** Directory the report's files are written into (created if missing). */
  out: string;
}

/** The study's report version; a study that has none is refused with its state in the message. */
export function requireReport(study: finetune.Study): finetune.ResolvedVersion {
  if (study.state !== common.JobState.JOB_STATE_SUCCEEDED) {
    throw new HeadstartError(
      Code.FAILED_PRECONDITION,
      `study ${study.id} is ${formatJobState(study.state)}: only a succeeded study has a report`,
      { details: { state: formatJobState(study.state) } },
    );
  }
  if (study.reportVersion === undefined) {
    throw new HeadstartError(Code.INTERNAL, `study ${study.id} succeeded but names no report version`);
  }
  return study.reportVersion;
}

/**
 * Writes the files under `directory`. The reader already refused absolute and `..` names; the resolved
 * path is checked once more because this is the line that would write outside the directory.
 */
export async function writeReportFiles(directory: string, files: readonly TarFile[]): Promise<string[]> {
  const root = path.resolve(directory);
  const written: string[] = [];
  for (const file of files) {
    const target = path.resolve(root, ...file.path.split('/'));
    if (!target.startsWith(root + path.sep)) {
      throw new HeadstartError(
        Code.DATA_LOSS,
        `report entry "${file.path}" would be written outside ${root}`,
      );
    }
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, file.data);
    written.push(target);
  }
  return written;
}

export async function studyReport(
  finetuneClient: FinetuneClient,
  registry: RegistryClient,
  out: Output,
  id: string,
  options: StudyReportOptions,
): Promise<void> {
  const report = requireReport(await finetuneClient.getStudy(id));
  const artifact = await registry.downloadToBuffer(versionRef(report.modelName, report.version));
  const files = readTarFiles(artifact);
  const written = await writeReportFiles(options.out, files);
  out.result(
    () => ({
      study: id,
      report: { modelName: report.modelName, version: report.version },
      directory: path.resolve(options.out),
      files: files.map((f, i) => ({ path: written[i], size: f.data.length })),
    }),
    () =>
      `report ${versionLabel(report)} of study ${id}: ${files.length} files in ${options.out}\n` +
      out.table(
        [{ header: 'file' }, { header: 'size', align: 'right' }],
        files.map((f) => [path.join(options.out, f.path), formatBytes(f.data.length)]),
      ),
  );
}
