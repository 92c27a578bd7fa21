// Services depend only on libs (and their own generated protos): no services/* package may list another
// services/* package in its runtime `dependencies`, so a service never ships another service's code.
// devDependencies are allowed: tests may start a real service of another kind.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const services = readdirSync(join(root, 'services'))
  .map((dir) => join(root, 'services', dir, 'package.json'))
  .filter((file) => existsSync(file))
  .map((file) => ({ file, pkg: JSON.parse(readFileSync(file, 'utf8')) }));
const serviceNames = new Set(services.map(({ pkg }) => pkg.name));

const problems = services.flatMap(({ file, pkg }) =>
  Object.keys(pkg.dependencies ?? {})
    .filter((dep) => serviceNames.has(dep))
    .map((dep) => `${file.slice(root.length + 1)}: ${pkg.name} depends on the service ${dep}`),
);
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error('Move what they share into a lib under libs/ (a devDependency is fine for tests).');
  process.exit(1);
}
console.log(`check-service-deps: ${services.length} services depend only on libs`);
