// `pnpm bench`: builds the packages when a dist folder is missing, runs the bundle, table and server
// benchmarks (each writes bench/results/<name>.json and prints its figures), then renders
// docs/performance.md from the results. `pnpm bench --only bundle,server` runs a subset; the page keeps
// the other benchmarks' last results. Extra arguments after `--` go to the table benchmark.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const results = `${root}bench/results`;
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
const tableArgs = dashes >= 0 ? argv.slice(dashes + 1) : [];
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 && onlyAt < (dashes >= 0 ? dashes : argv.length) ? argv[onlyAt + 1].split(',') : undefined;
const benchmarks = ['bundle', 'table', 'server'].filter((name) => !only || only.includes(name));

const packages = readdirSync(`${root}packages`, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`${root}packages/${entry.name}/package.json`))
  .map((entry) => entry.name);
const unbuilt = packages.filter((name) => !existsSync(`${root}packages/${name}/dist`));
if (unbuilt.length) {
  console.log(`building (no dist in ${unbuilt.join(', ')})`);
  run('pnpm', ['run', 'build']);
}

mkdirSync(results, { recursive: true });
for (const name of benchmarks) {
  console.log(`\n== ${name} ==`);
  const extra = name === 'table' ? tableArgs : [];
  run(process.execPath, [`${root}bench/${name}.mjs`, ...extra, '--json', `${results}/${name}.json`]);
}
run(process.execPath, [`${root}bench/report.mjs`]);
