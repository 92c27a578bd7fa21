// Live bars for the long commands: only when stdout and stderr are both a terminal and not --json.
import type { IngestClient } from '@headstart/ingest-client';
import { common, ingest } from '@headstart/proto';

import { followJob } from './commands/jobs';
import { createOutput, type CliStreams } from './output';

function streams(stdoutIsTTY: boolean, stderrIsTTY: boolean) {
  const written = { stdout: '', stderr: '' };
  const s: CliStreams = {
    stdout: { write: (t: string | Uint8Array) => (written.stdout += String(t)) },
    stderr: { write: (t: string | Uint8Array) => (written.stderr += String(t)) },
    stdoutIsTTY,
    stderrIsTTY,
  };
  // eslint-disable-next-line no-control-regex
  const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');
  return { s, stdout: () => plain(written.stdout), stderr: () => plain(written.stderr) };
}

it('liveProgress: a reporter only on two terminals without --json', () => {
  const live = createOutput(streams(true, true).s, false).liveProgress();
  expect(live).toBeDefined();
  live?.close();
  expect(createOutput(streams(true, true).s, true).liveProgress()).toBeUndefined();
  expect(createOutput(streams(false, true).s, false).liveProgress()).toBeUndefined();
  expect(createOutput(streams(true, false).s, false).liveProgress()).toBeUndefined();
});

it('followJob on a terminal: a bar on stderr while it runs, a ✓ line at the end, the job on stdout', async () => {
  const job = (fields: Partial<ingest.Job>) =>
    ingest.Job.fromPartial({ id: 'J1', state: common.JobState.JOB_STATE_RUNNING, ...fields });
  const client = {
    async watchJob(_id: string, onUpdate: (j: ingest.Job) => void) {
      onUpdate(job({ phase: 'merging', progress: { done: 50, total: 200, unit: 'merges', etaSeconds: 9 } }));
      return job({ state: common.JobState.JOB_STATE_SUCCEEDED });
    },
  } as unknown as IngestClient;
  const io = streams(true, true);
  await followJob(client, createOutput(io.s, false), 'J1', 'training tokenizer');
  // The bar was drawn when the reporter closed, then replaced by the line of the finished work.
  expect(io.stderr()).toContain('  ✓ training tokenizer: succeeded');
  expect(io.stdout()).toContain('J1');
  expect(io.stdout()).not.toContain('merging');
});
