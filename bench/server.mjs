// Server benchmark of issue 6: the built reference server on loopback with a 10,000-user firm (the demo
// seed plus `demo:10000`), sequential keep-alive requests for pages of 50 with and without search and
// filters (p50/p95/p99), TOTP verifications per second and the cost of one scrypt sign-in.
// `node bench/server.mjs` prints the figures; `--json <file>` also writes them for bench/report.mjs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = new URL('..', import.meta.url).pathname;
// The built packages, by path, so the `source` export condition can never pick the TypeScript sources.
const { checkTotp, totpCodeAt } = await import(`${root}packages/server/dist/index.js`);
const { startServer } = await import(`${root}packages/server/dist/node/index.js`);

const WARMUP = 50;
const MIN_SAMPLES = 300;
const MAX_SAMPLES = 2000;
const MAX_MS_PER_CASE = 5_000;
const TOTP_MS = 2_000;
const SIGN_INS = 10;
const GOAL_P95_MS = 5;

const demo = JSON.parse(readFileSync(`${root}packages/server/seeds/demo.json`, 'utf8'));
const primary = demo.users.find((u) => u.isPrimarySubscriber);

const silent = { info() {}, warn() {}, error() {} };
const dir = mkdtempSync(join(os.tmpdir(), 'firm-security-bench-'));
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
let running;

const call = (method, path, { body, cookie, csrf } = {}) =>
  new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = { accept: 'application/json' };
    if (payload) headers['content-type'] = 'application/json';
    if (cookie) headers.cookie = cookie;
    if (csrf) headers['x-csrf-token'] = csrf;
    const req = request(`${running.url}${path}`, { method, agent, headers, timeout: 30_000 }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : undefined });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });

const cookieOf = (response, previous) => {
  const set = response.headers['set-cookie'];
  if (!set?.length) return previous;
  return set.map((c) => c.split(';')[0]).join('; ');
};

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const median = (values) =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );

const measure = async (path, cookie) => {
  for (let i = 0; i < WARMUP; i++) {
    const r = await call('GET', path, { cookie });
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  const samples = [];
  const started = performance.now();
  while (
    samples.length < MAX_SAMPLES &&
    (samples.length < MIN_SAMPLES || performance.now() - started < MAX_MS_PER_CASE)
  ) {
    const t0 = performance.now();
    const r = await call('GET', path, { cookie });
    samples.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
  }
  const elapsed = performance.now() - started;
  samples.sort((a, b) => a - b);
  return {
    n: samples.length,
    p50: quantile(samples, 0.5),
    p95: quantile(samples, 0.95),
    p99: quantile(samples, 0.99),
    rps: samples.length / (elapsed / 1000),
  };
};

const results = { cases: [] };
try {
  const seedStarted = performance.now();
  running = await startServer({
    host: '127.0.0.1',
    port: 0,
    db: join(dir, 'bench.db'),
    seed: 'demo:10000',
    log: silent,
  });
  results.seedSeconds = (performance.now() - seedStarted) / 1000;

  // Sign in as the primary subscriber: password, then a TOTP code of the seeded secret.
  const started = await call('POST', '/session', { body: { email: primary.email, password: primary.password } });
  if (started.status !== 200) throw new Error(`sign-in failed: ${started.status} ${JSON.stringify(started.body)}`);
  let cookie = cookieOf(started);
  const code = await totpCodeAt(primary.twoFactor.totpSecret, Date.now());
  const verified = await call('POST', '/session/two-factor', { body: { code }, cookie, csrf: started.body?.csrfToken });
  if (verified.status !== 200) throw new Error(`2FA failed: ${verified.status} ${JSON.stringify(verified.body)}`);
  cookie = cookieOf(verified, cookie);

  const first = await call('GET', '/firm/users?limit=50', { cookie });
  if (first.status !== 200) throw new Error(`listUsers failed: ${first.status} ${JSON.stringify(first.body)}`);
  results.total = first.body.total;

  // A middle page: follow nextCursor 20 times.
  let cursor = first.body.nextCursor;
  for (let i = 1; i < 20 && cursor; i++) {
    const page = await call('GET', `/firm/users?limit=50&cursor=${encodeURIComponent(cursor)}`, { cookie });
    cursor = page.body.nextCursor;
  }
  if (!cursor) throw new Error('fewer than 21 pages of users');

  const cases = [
    ['first page', '/firm/users?limit=50'],
    ['page 21 (cursor)', `/firm/users?limit=50&cursor=${encodeURIComponent(cursor)}`, 'cursor=<page 21>'],
    ['search=kim', '/firm/users?limit=50&search=kim'],
    ['status=invited', '/firm/users?limit=50&status=invited'],
    ['requirement=required&sort=-status', '/firm/users?limit=50&requirement=required&sort=-status'],
  ];
  for (const [name, path, shown] of cases) {
    const probe = await call('GET', path, { cookie });
    results.cases.push({
      shown: shown ? path.replace(/cursor=[^&]*/, shown) : path,
      name,
      path,
      rows: probe.body.items.length,
      matches: probe.body.total,
      ...(await measure(path, cookie)),
    });
  }

  // TOTP verifications per second: one fixed secret, its current code, for about 2 s.
  const secret = primary.twoFactor.totpSecret;
  const now = Date.now();
  const current = await totpCodeAt(secret, now);
  let verifications = 0;
  const totpStarted = performance.now();
  while (performance.now() - totpStarted < TOTP_MS) {
    for (let i = 0; i < 100; i++) {
      const check = await checkTotp(secret, current, now, null);
      if (!check.ok) throw new Error('checkTotp rejected the current code');
    }
    verifications += 100;
  }
  results.totpPerSecond = verifications / ((performance.now() - totpStarted) / 1000);

  // scrypt sign-in: one POST /session round trip at the default cost (stops at the two_factor stage).
  const signIns = [];
  for (let i = 0; i < SIGN_INS; i++) {
    const t0 = performance.now();
    const r = await call('POST', '/session', { body: { email: primary.email, password: primary.password } });
    signIns.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`sign-in ${i} failed: ${r.status}`);
  }
  results.signInMedianMs = median(signIns);
} finally {
  agent.destroy();
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
}

const ms = (v) => v.toFixed(2);
const worstP95 = Math.max(...results.cases.map((c) => c.p95));
const goalMet = worstP95 <= GOAL_P95_MS;

console.log(`Server on loopback, ${results.total} users (seeded in ${results.seedSeconds.toFixed(1)} s)`);
console.log(
  `  ${'request'.padEnd(36)} ${'rows'.padStart(5)} ${'n'.padStart(5)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'p99'.padStart(7)} ${'req/s'.padStart(7)}`,
);
for (const c of results.cases) {
  console.log(
    `  ${c.name.padEnd(36)} ${String(c.rows).padStart(5)} ${String(c.n).padStart(5)} ${ms(c.p50).padStart(7)} ${ms(c.p95).padStart(7)} ${ms(c.p99).padStart(7)} ${String(Math.round(c.rps)).padStart(7)}`,
  );
}
console.log(`  TOTP verifications: ${Math.round(results.totpPerSecond)} per second (checkTotp, one thread)`);
console.log(`  scrypt sign-in (POST /session, default cost): median ${ms(results.signInMedianMs)} ms of ${SIGN_INS}`);
console.log(
  `  goal p95 <= ${GOAL_P95_MS} ms at 10k users: worst p95 ${ms(worstP95)} ms: ${goalMet ? 'met' : 'NOT met'}`,
);

const jsonAt = process.argv.indexOf('--json');
if (jsonAt > 0) {
  const file = process.argv[jsonAt + 1];
  const summary = {
    goalP95Ms: GOAL_P95_MS,
    signIns: SIGN_INS,
    worstP95,
    goalMet,
    warmup: WARMUP,
    minSamples: MIN_SAMPLES,
    maxSamples: MAX_SAMPLES,
  };
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), ...summary, ...results }, null, 2));
  console.log(`wrote ${file}`);
}
