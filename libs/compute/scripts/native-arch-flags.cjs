// Prints the -m flags for the native kernels. The addon is compiled on the machine that runs it (install
// or build step), so `-march=native` is right by default; an image built on one CPU for another sets
// HEADSTART_NATIVE_MARCH (e.g. x86-64-v3) at build time.
const march = process.env.HEADSTART_NATIVE_MARCH || 'native';
process.stdout.write(`-march=${march}`);
