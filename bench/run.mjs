// `pnpm bench`: builds the packages when a dist folder is missing, then runs the server benchmark and
// rewrites docs/performance.md. The bundle and table benchmarks of issue 6 join here when they exist.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

const packages = readdirSync(`${root}packages`, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`${root}packages/${entry.name}/package.json`))
  .map((entry) => entry.name);
const unbuilt = packages.filter((name) => !existsSync(`${root}packages/${name}/dist`));
if (unbuilt.length) {
  console.log(`building (no dist in ${unbuilt.join(', ')})`);
  run('pnpm', ['run', 'build']);
}
run(process.execPath, [`${root}bench/server.mjs`, '--write']);
