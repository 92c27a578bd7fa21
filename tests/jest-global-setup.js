// Runs once before any test file. Builds the shipped data where `make demo` keeps it (.headstart/data at the
// repository root; the bootstrap has built it, so this only verifies digests, about a second) and tells the
// tests where it is: the tests that run the main job read it there instead of each building a copy of
// their own (about 20 s of CPU each). The build's identity includes a digest of the builder's code, so a
// changed builder rebuilds here rather than handing the tests stale files. The build itself is tested by
// libs/datasets, into directories of its own.
const path = require('node:path');

module.exports = async function buildSharedShippedData() {
  const { buildShippedData } = require('../libs/datasets/dist');
  const dir = path.join(__dirname, '..', '.headstart', 'data');
  await buildShippedData({ outDir: dir });
  process.env.HEADSTART_SHIPPED_DATA = dir;
};
