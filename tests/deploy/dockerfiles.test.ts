// The images against the workspace they package: the pnpm and Node the workspace pins, the OpenBLAS the
// native kernels need to build and to run, a portable -march, the CUDA/cuDNN/tfjs versions of the GPU
// image, a non-root runtime, and entry points that exist. No Docker engine is needed (or available).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPONENTS, RUN_AS_USER } from './contract';
import type { Dockerfile, Stage } from './dockerfile';
import { aptPackages, parseDockerfile, runs, stageArgs, stageEnv } from './dockerfile';
import { REPO_ROOT } from './render';

const DOCKER_DIR = join(REPO_ROOT, 'deploy', 'docker');
function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as T;
}
const rootPackage = readJson<{ packageManager: string; engines: { node: string } }>('package.json');
const computePackage = readJson<{ name: string; dependencies: Record<string, string> }>(
  'libs/compute/package.json',
);

const PNPM_VERSION = /^pnpm@(\d+\.\d+\.\d+)/.exec(rootPackage.packageManager)?.[1];
const NODE_MAJOR = /(\d+)/.exec(rootPackage.engines.node)?.[1];

/** `dist/x.js` of a service → its source `src/x.ts`, which `pnpm run build` compiles. */
function sourceOf(entry: string): string {
  return join(REPO_ROOT, entry.replace('/dist/', '/src/').replace(/\.js$/, '.ts'));
}

const IMAGES = ['Dockerfile', 'Dockerfile.gpu'];

describe.each(IMAGES)('%s', (name) => {
  let file: Dockerfile;
  let build: Stage;
  let runtime: Stage;

  beforeAll(() => {
    file = parseDockerfile(join(DOCKER_DIR, name));
    const building = file.stages.filter((s) => runs(s).some((r) => /pnpm install/.test(r)));
    expect(building).toHaveLength(1);
    build = building[0]!;
    runtime = file.stages[file.stages.length - 1]!;
  });

  test('installs the pnpm of the workspace (packageManager)', () => {
    expect(PNPM_VERSION).toBeDefined();
    expect(stageArgs(file, build).get('PNPM_VERSION')).toBe(PNPM_VERSION);
    expect(runs(build).join('\n')).toMatch(/npm install -g pnpm@\$\{PNPM_VERSION\}/);
  });

  test('takes Node from the official image of the major the workspace runs on', () => {
    expect(file.globalArgs.get('NODE_IMAGE')).toMatch(new RegExp(`^node:${NODE_MAJOR}-`));
  });

  test('builds native addons against local Node headers, with libopenblas-dev and a fixed -march', () => {
    const env = stageEnv(build);
    expect(env.get('npm_config_nodedir')).toBe('/usr/local');
    expect(aptPackages(build)).toEqual(expect.arrayContaining(['libopenblas-dev', 'make']));
    // The addon's -march is fixed when `pnpm install` configures it: the variable must be set by then,
    // and never to `native` (the build machine's CPU, SIGILL on an older node).
    const install = runs(build).find((r) => /pnpm install/.test(r)) ?? '';
    const exported = /HEADSTART_NATIVE_MARCH="?([^"\s]*)/.exec(install.split('pnpm install')[0] ?? '');
    const march = env.get('HEADSTART_NATIVE_MARCH') ?? exported?.[1];
    expect(march).toBeDefined();
    const value = (march ?? '').replace(
      /\$\{(\w+)\}/,
      (_m, k: string) => stageArgs(file, build).get(k) ?? '',
    );
    expect(value).not.toMatch(/native/);
  });

  test('installs with the frozen lockfile, builds, then keeps production dependencies only', () => {
    const text = runs(build).join('\n');
    expect(text).toMatch(/pnpm install --frozen-lockfile/);
    expect(text).toMatch(/pnpm run build/);
    expect(text).toMatch(/pnpm install[^\n&]* --prod/);
  });

  test('the runtime has the threaded OpenBLAS and no build toolchain', () => {
    const packages = aptPackages(runtime);
    expect(packages).toContain('libopenblas0-pthread');
    expect(packages.filter((p) => /-dev$|^g\+\+|^gcc|^make$|^python/.test(p))).toEqual([]);
    expect(
      runtime.instructions.some((i) => i.keyword === 'COPY' && /--from=build \/app \/app/.test(i.args)),
    ).toBe(true);
  });

  test('runs as the non-root user the manifests expect, with HOME on the writable /tmp', () => {
    const user = runtime.instructions.filter((i) => i.keyword === 'USER').pop();
    expect(user?.args).toBe(`${RUN_AS_USER}:${RUN_AS_USER}`);
    expect(runs(runtime).join('\n')).toMatch(new RegExp(`useradd [^\\n]*--uid ${RUN_AS_USER}`));
    expect(stageEnv(runtime).get('HOME')).toBe('/tmp');
    expect(stageEnv(runtime).get('HEADSTART_DATA_DIR')).toBe('/var/lib/headstart');
  });

  test('its default command is an entry point that exists', () => {
    const cmd = runtime.instructions.filter((i) => i.keyword === 'CMD').pop();
    const argv = JSON.parse(cmd?.args ?? '[]') as string[];
    expect(argv[0]).toBe('node');
    expect(existsSync(sourceOf(argv[1] ?? ''))).toBe(true);
  });
});

describe('Dockerfile.gpu', () => {
  let file: Dockerfile;
  beforeAll(() => {
    file = parseDockerfile(join(DOCKER_DIR, 'Dockerfile.gpu'));
  });

  test('runs on CUDA 11.2 with cuDNN 8 (8.1 in the 11.2.2 images), what tfjs-node-gpu 4.x is built for', () => {
    expect(file.globalArgs.get('CUDA_IMAGE')).toMatch(/\/cuda:11\.2(\.\d+)?-cudnn8-runtime-ubuntu20\.04$/);
    expect(file.stages[file.stages.length - 1]?.from).toBe('${CUDA_IMAGE}');
    // Native addons are compiled on the runtime's distribution (same glibc and libstdc++).
    expect(file.globalArgs.get('BUILD_IMAGE')).toBe('ubuntu:20.04');
  });

  test('adds @tensorflow/tfjs-node-gpu at the tfjs version of @headstart/compute, to that package', () => {
    const build = file.stages.find((s) => s.name === 'build')!;
    const args = stageArgs(file, build);
    expect(args.get('TFJS_VERSION')).toBe(computePackage.dependencies['@tensorflow/tfjs-core']);
    expect(args.get('TFJS_VERSION')).toBe(computePackage.dependencies['@tensorflow/tfjs']);
    expect(args.get('GPU_PACKAGE')).toBe(computePackage.name);
    // The backend selection that loads it lives in that package.
    const selector = readFileSync(join(REPO_ROOT, 'libs/compute/src/select_backend.ts'), 'utf8');
    expect(selector).toContain("'@tensorflow/tfjs-node-gpu'");
    expect(runs(build).join('\n')).toMatch(
      /--filter "\$\{GPU_PACKAGE\}" add [^\n]*"@tensorflow\/tfjs-node-gpu@\$\{TFJS_VERSION\}"/,
    );
    // Its install script is let run by adding it under allowBuilds, which must be there to edit.
    expect(readFileSync(join(REPO_ROOT, 'pnpm-workspace.yaml'), 'utf8')).toMatch(/^allowBuilds:$/m);
  });

  test("uses a compiler and Python new enough for better-sqlite3's C++20 and node-gyp's gyp", () => {
    const build = file.stages.find((s) => s.name === 'build')!;
    const env = stageEnv(build);
    expect(aptPackages(build)).toEqual(expect.arrayContaining(['g++-10', 'python3.9']));
    expect(env.get('CXX')).toBe('g++-10');
    expect(env.get('PYTHON')).toBe('/usr/bin/python3.9');
  });
});

test('each Dockerfile has its own ignore list, the two identical, keeping build outputs out', () => {
  const lists = IMAGES.map((name) =>
    readFileSync(join(DOCKER_DIR, `${name}.dockerignore`), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#')),
  );
  expect(lists[1]).toEqual(lists[0]);
  // A copied build/ would keep the -march of the machine it was configured on.
  expect(lists[0]).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '**/build', '.git']));
});

test('every entry point the manifests run exists in the workspace', () => {
  for (const [name, c] of Object.entries(COMPONENTS))
    expect([name, existsSync(sourceOf(c.entry))]).toEqual([name, true]);
});
