// Prints where one training step spends its kernel time:
//   node dist/profile.js [A|B] [headstart-cpu|cpu] [bench|product]
import { selectBackend, tf } from '@headstart/compute';
import { CONFIGS } from './config';
import { createRng, makeBatch } from './data';
import { profileProductStep } from './product_step';
import { profileStep } from './tfjs_step';

async function main(): Promise<void> {
  const config = CONFIGS[process.argv[2] ?? 'A'];
  if (!config) throw new Error('usage: profile.js [A|B] [headstart-cpu|cpu] [bench|product]');
  await selectBackend({ backend: 'cpu' });
  const backend = process.argv[3] ?? 'headstart-cpu';
  const which = process.argv[4] ?? 'bench';
  const profile = which === 'product' ? profileProductStep : profileStep;
  const batch = makeBatch(config, createRng(1));
  const kernels = await profile(config, backend, batch, 1);
  const total = kernels.reduce((s, k) => s + k.ms, 0);
  const calls = kernels.reduce((s, k) => s + k.calls, 0);
  const start = performance.now();
  const timed = await profile(config, backend, batch, 1);
  console.log(
    `config ${config.name} ${which} step on ${backend}: ${calls} kernel calls, ${total.toFixed(1)} ms in kernels (tf.profile)`,
  );
  console.log(`(second profile run took ${(performance.now() - start).toFixed(0)} ms incl. model build)`);
  for (const k of kernels.slice(0, 40)) {
    console.log(
      `${k.name.padEnd(22)} ${String(k.calls).padStart(5)} calls ${k.ms.toFixed(2).padStart(9)} ms ${((100 * k.ms) / total).toFixed(1).padStart(5)}%`,
    );
  }
  void timed;
  void tf;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
