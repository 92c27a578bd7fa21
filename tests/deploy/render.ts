import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from './k8s';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const OVERLAYS_DIR = join(REPO_ROOT, 'deploy', 'k8s', 'overlays');

export interface Rendered {
  overlay: string;
  /** The YAML exactly as kubectl printed it, for text-level checks. */
  text: string;
  objects: K8sObject[];
}

/** Every directory under deploy/k8s/overlays is an overlay that must render. */
export function listOverlays(): string[] {
  return readdirSync(OVERLAYS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(OVERLAYS_DIR, d.name, 'kustomization.yaml')))
    .map((d) => d.name)
    .sort();
}

const MISSING =
  'kubectl not found on PATH (or $KUBECTL): the deploy tests render the overlays with `kubectl kustomize`. ' +
  'Install kubectl >= 1.27, which bundles kustomize v5.';

function kubectl(): string {
  const fromEnv = process.env.KUBECTL;
  if (fromEnv) return fromEnv;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'kubectl'))) return join(dir, 'kubectl');
  }
  throw new Error(MISSING);
}

/** `kubectl kustomize deploy/k8s/overlays/<overlay>`, parsed. Throws with kubectl's own message on error. */
export function renderOverlay(overlay: string): Rendered {
  const dir = join(OVERLAYS_DIR, overlay);
  let text: string;
  try {
    text = execFileSync(kubectl(), ['kustomize', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(MISSING);
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`kubectl kustomize ${dir} failed: ${stderr || String(err)}`);
  }
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${overlay}: invalid YAML: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as K8sObject | null;
    if (value) objects.push(value);
  }
  return { overlay, text, objects };
}
