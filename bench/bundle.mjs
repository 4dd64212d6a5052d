// `node bench/bundle.mjs [--json <file>]`: the bundle-size benchmark of issue 6. Builds each product
// (ours and the two peers) the same way, as a host app's vite production build, and prints per package
// and in total the minified, gzip and brotli sizes, then ours/peer ratios and the budget verdict.
// Always exits 0: it is a benchmark; scripts/size.mjs is the gate that fails npm test.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { version as viteVersion } from 'vite';
import { kb, LEGEND, sizeTable } from './bundle/format.mjs';
import { benchRoot, measureBundle } from './bundle/measure.mjs';
import { products } from './bundle/products.mjs';

const budget = JSON.parse(readFileSync(new URL('./bundle-budget.json', import.meta.url), 'utf8'));

// The version the bench folder resolves, i.e. the one measured.
const installedVersion = (name) =>
  JSON.parse(readFileSync(`${benchRoot}node_modules/${name}/package.json`, 'utf8')).version;

const printProduct = (product, result) => {
  console.log(`\n${product.key}: ${product.label}, ${product.package} ${installedVersion(product.package)}`);
  console.log(sizeTable(result));
  for (const note of product.notes) console.log(`  note: ${note}`);
};

// A failed build is reported and skipped, so one broken peer does not hide the other figures.
const measureAll = async () => {
  const results = {};
  for (const product of products) {
    try {
      results[product.key] = await measureBundle(product.entry);
      printProduct(product, results[product.key]);
    } catch (error) {
      results[product.key] = { error: String(error?.message ?? error) };
      console.error(`\n${product.key}: build failed (is dist built? pnpm run build): ${results[product.key].error}`);
    }
  }
  return results;
};

const printRatios = (results) => {
  const ours = results.ours?.total;
  if (!ours) return;
  console.log('\nours / peer, total gzip:');
  for (const product of products.slice(1)) {
    const peer = results[product.key]?.total;
    if (peer) console.log(`  ours / ${product.key.padEnd(10)} ${(ours.gzip / peer.gzip).toFixed(2)}`);
  }
};

const budgetVerdict = (results) => {
  const gzip = results.ours?.total?.gzip;
  const withinBudget = gzip !== undefined && gzip <= budget.maxGzipBytes;
  const goalMet = gzip !== undefined && gzip <= budget.goalGzipBytes;
  if (gzip !== undefined) {
    console.log(
      `\ngoal (issue 6): ours ${kb(gzip)} gzip of ${kb(budget.goalGzipBytes)}: ${goalMet ? 'met' : 'NOT met'}`,
    );
    const verdict = withinBudget ? 'within budget' : 'OVER budget';
    console.log(
      `budget (bench/bundle-budget.json ratchet): ours ${kb(gzip)} gzip of ${kb(budget.maxGzipBytes)}: ${verdict}`,
    );
  }
  return { goalGzipBytes: budget.goalGzipBytes, goalMet, maxGzipBytes: budget.maxGzipBytes, withinBudget };
};

const toJson = (results, budgetResult) => ({
  date: new Date().toISOString(),
  node: process.version,
  vite: viteVersion,
  products: Object.fromEntries(
    products.map((product) => [
      product.key,
      {
        label: product.label,
        version: installedVersion(product.package),
        notes: product.notes,
        ...results[product.key],
      },
    ]),
  ),
  budget: budgetResult,
});

const main = async () => {
  const { values } = parseArgs({ options: { json: { type: 'string' } } });
  console.log(`Bundle sizes: vite ${viteVersion} production build (rolldown, oxc minifier), default browser`);
  console.log('conditions (published dist), gzip level 9, brotli quality 11. KB = 1024 bytes.');
  console.log(LEGEND);
  const results = await measureAll();
  printRatios(results);
  const budgetResult = budgetVerdict(results);
  if (values.json) {
    writeFileSync(values.json, `${JSON.stringify(toJson(results, budgetResult), null, 2)}\n`);
    console.log(`wrote ${values.json}`);
  }
};

await main().catch((error) => console.error(error));
process.exitCode = 0;
