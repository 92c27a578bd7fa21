import * as fs from 'node:fs/promises';
import * as path from 'node:path';

import { makeTempDir } from '@headstart/testing';

import { heldOutTexts } from './predict';

describe('heldOutTexts', () => {
  it('takes test-split texts, the labels in turn', async () => {
    const dir = await makeTempDir('pipeline-predict');
    try {
      const file = path.join(dir.path, 'task.jsonl');
      const rows = [
        { text: 'train ham', label: 'ham', split: 'train' },
        { text: 'ham 1', label: 'ham', split: 'test' },
        { text: 'ham 2', label: 'ham', split: 'test' },
        { text: 'ham 3', label: 'ham', split: 'test' },
        { text: 'spam 1', label: 'spam', split: 'test' },
      ];
      await fs.writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n'));
      expect(await heldOutTexts(file, 3)).toEqual([
        { text: 'ham 1', label: 'ham' },
        { text: 'spam 1', label: 'spam' },
        { text: 'ham 2', label: 'ham' },
      ]);
      expect((await heldOutTexts(file, 10)).map((t) => t.text)).toEqual([
        'ham 1',
        'spam 1',
        'ham 2',
        'ham 3',
      ]);
    } finally {
      await dir.remove();
    }
  });
});
