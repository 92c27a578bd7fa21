// The runbooks in docs/deploy.md name real objects: every StatefulSet, pod and claim their commands
// mention exists in each rendered overlay as a one-replica StatefulSet whose claim template is `data`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workload } from './k8s';
import { REPO_ROOT, listOverlays, renderOverlay } from './render';
import { workloads } from './workload-checks';

function runbookCommands(): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'deploy.md'), 'utf8');
  const start = doc.indexOf('### When a pod will not come back');
  const end = doc.indexOf('\n### ', start + 1);
  if (start < 0) throw new Error('docs/deploy.md has no runbook section');
  const section = doc.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
}

const named = (commands: string, pattern: RegExp) => [
  ...new Set([...commands.matchAll(pattern)].map((m) => m[1]!)),
];

describe('runbooks', () => {
  const commands = runbookCommands();
  const statefulSets = named(commands, /statefulset\/([a-z-]+)/g);
  const pods = named(commands, /\bpod ([a-z-]+)-0\b/g);
  const claims = named(commands, /pvc data-([a-z-]+)-0\b/g);

  it('name the objects they act on', () => {
    expect(statefulSets).toContain('registry');
    expect(pods).toContain('registry');
    expect(claims).toContain('registry');
  });

  it.each(listOverlays())('name objects that exist in the %s overlay', (overlay) => {
    const byName = new Map<string, Workload>(
      workloads(renderOverlay(overlay).objects).map((w) => [w.metadata.name, w]),
    );
    for (const name of [...statefulSets, ...pods, ...claims]) {
      const w = byName.get(name);
      expect({ name, kind: w?.kind, replicas: w?.spec.replicas }).toEqual({
        name,
        kind: 'StatefulSet',
        replicas: 1,
      });
      expect(w?.spec.volumeClaimTemplates?.map((t) => t.metadata.name)).toContain('data');
    }
  });
});
