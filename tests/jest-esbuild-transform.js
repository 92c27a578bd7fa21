// Jest's TypeScript transform: esbuild strips the types and emits CommonJS, file by file (the tests and
// sources are isolatedModules-clean; `tsc --build` and the lint step type-check them). It replaced ts-jest,
// whose TypeScript emit was most of a fresh clone's first run (the transform cache starts empty there).
const { createHash } = require('node:crypto');
const { transformSync, version } = require('esbuild');

const OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  // As tsc emits for target ES2022 (tsconfig.base.json): class fields by [[Define]].
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
};

module.exports = {
  process(source, filename) {
    return { code: transformSync(source, { ...OPTIONS, sourcefile: filename }).code };
  },
  // The options are part of the key: a changed option must not reuse code emitted with the old one.
  getCacheKey(source, filename) {
    return createHash('sha256')
      .update(`${version}\0${JSON.stringify(OPTIONS)}`)
      .update('\0')
      .update(filename)
      .update('\0')
      .update(source)
      .digest('hex');
  },
};
