// Packs each public package the way it would be published and checks it with publint (package.json,
// exports, files) and Are the Types Wrong (types resolve for every entry point under node16 ESM and
// bundlers). ESM-only on purpose: CommonJS resolution modes are ignored, as attw's esm-only profile does.
// attw's own tarball reader drops data past 64 KB, so the tarball is extracted with tar here.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { checkPackage, Package } from '@arethetypeswrong/core';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const PUBLIC = ['contract', 'server', 'sdk', 'elements', 'mock', 'react'];
const IGNORED_RESOLUTIONS = new Set(['node10', 'node16-cjs']);
const root = new URL('..', import.meta.url).pathname;
let failures = 0;

const filesOf = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesOf(path) : [path];
  });

for (const name of PUBLIC) {
  const pkgDir = join(root, 'packages', name);
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));

  const lint = await publint({ pkgDir, level: 'warning', strict: true });
  for (const message of lint.messages) {
    failures++;
    console.log(`  publint ${manifest.name}: ${formatMessage(message, manifest)}`);
  }

  const scratch = mkdtempSync(join(tmpdir(), 'pack-'));
  try {
    execFileSync('pnpm', ['pack', '--pack-destination', scratch], { cwd: pkgDir, stdio: 'ignore' });
    const tarball = readdirSync(scratch).find((file) => file.endsWith('.tgz'));
    execFileSync('tar', ['xzf', join(scratch, tarball), '-C', scratch]);
    const files = {};
    for (const file of filesOf(join(scratch, 'package'))) {
      files[`/node_modules/${manifest.name}/${relative(join(scratch, 'package'), file)}`] = new Uint8Array(
        readFileSync(file),
      );
    }
    const result = await checkPackage(new Package(files, manifest.name, manifest.version), {});
    const problems = (result.problems ?? []).filter(
      (problem) => !('resolutionKind' in problem) || !IGNORED_RESOLUTIONS.has(problem.resolutionKind),
    );
    for (const problem of problems) {
      failures++;
      console.log(`  attw ${manifest.name}: ${problem.kind} ${JSON.stringify(problem)}`);
    }
    const entries = Object.keys(result.entrypoints ?? {}).join(', ');
    console.log(
      `${manifest.name}: publint ${lint.messages.length ? 'problems' : 'ok'}; attw ${problems.length ? 'problems' : 'ok'} (${entries})`,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
if (failures) {
  console.log(`${failures} packaging problem(s)`);
  process.exit(1);
}
