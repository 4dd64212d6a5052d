import { inspect } from 'node:util';
import { it } from 'vitest';
import { createSdkHarness, demo } from './setup.js';

it('explore', async () => {
  const seen: string[] = [];
  const { client, signIn } = await createSdkHarness({ wrap: (f) => (async (i: any, init: any) => { const r = new Request(i, init); seen.push(`${r.method} ${r.url} cred=${r.credentials}`); return f(r); }) as any, client: { headers: () => ({ Authorization: 'Bearer secret-token-123' }) } });
  await signIn(demo.primary);
  for (const id of ['a/b', '.', '', '..', 'x?y', 'x#y']) {
    try { const r = await client.users.get(id); console.log(id, 'OK', Object.keys(r)); } catch (e: any) { console.log(id, e.name, e.code, e.message); }
  }
  try { await client.users.remind(client ? (await client.users.invite((await client.users.list({ search: 'oliver' })).items[0]!.id)).id : ''); } catch (e: any) { console.log(inspect(e, { depth: 6 })); console.log(JSON.stringify(e)); }
  try { await client.session.signIn({ email: demo.plain, password: 'nope-password' }); } catch (e: any) { console.log(inspect(e, { depth: 6 }).includes('nope-password'), e.message); }
  console.log(seen.join('\n'));
});
