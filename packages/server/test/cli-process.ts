/**
 * The BUILT CLI (`dist/node/cli.js`, `firm-security-server`) as a child process, for the tests that need
 * a real server process: start it, run a command to its end, stop it, and never leave one behind.
 * Build first: pnpm --filter @firm-security/server run build
 *
 * In a test file: `beforeAll(assertCliBuilt)` and `afterEach(killAllClis)`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/node/cli.js', import.meta.url));

/** Fails with the build command to run when the CLI has not been built. */
export const assertCliBuilt = () => {
  if (!existsSync(CLI)) {
    throw new Error(
      `${CLI} is missing: these tests run the built CLI. Build first: pnpm --filter @firm-security/server run build`,
    );
  }
};

export type CliExit = { code: number | null; signal: NodeJS.Signals | null };

export interface Cli {
  proc: ChildProcess;
  pid: number;
  /** `http://127.0.0.1:PORT/api/v1` (or the `--base-path` given) */
  url: string;
  origin: string;
  port: number;
  output: () => string;
  exited: Promise<CliExit>;
}

const children = new Set<ChildProcess>();

/** The test process's environment plus `env`; FIRM_SECURITY_SECRET_KEY only when `env` gives it. */
const childEnv = (env: Record<string, string>) => {
  const result: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('FIRM_SECURITY_SECRET_KEY' in env)) delete result.FIRM_SECURITY_SECRET_KEY;
  return result;
};

/** Spawns the CLI with `args`, collecting stdout and stderr together. */
export const spawnCli = (args: string[], env: Record<string, string> = {}) => {
  const proc = spawn(process.execPath, [CLI, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let out = '';
  proc.stdout?.on('data', (chunk) => {
    out += chunk;
  });
  proc.stderr?.on('data', (chunk) => {
    out += chunk;
  });
  const exited = new Promise<CliExit>((resolve) => {
    proc.once('exit', (code, signal) => {
      children.delete(proc);
      resolve({ code, signal });
    });
  });
  return { proc, output: () => out, exited };
};

/** Starts the server on a free port of 127.0.0.1 and waits for `listening on ...`. */
export const startCli = async (args: string[], env: Record<string, string> = {}): Promise<Cli> => {
  const { proc, output, exited } = spawnCli(['--host', '127.0.0.1', '--port', '0', ...args], env);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" within 30 s:\n${output()}`)), 30_000);
    const onData = () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(output());
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    proc.stdout?.on('data', onData);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before listening:\n${output()}`));
    });
  });
  const parsed = new URL(url);
  return { proc, pid: proc.pid as number, url, origin: parsed.origin, port: Number(parsed.port), output, exited };
};

/** Runs a CLI command to its end (killed after 20 s). */
export const runCli = async (args: string[], env: Record<string, string> = {}) => {
  const { proc, output, exited } = spawnCli(args, env);
  const timer = setTimeout(() => proc.pid && proc.exitCode === null && process.kill(proc.pid, 'SIGKILL'), 20_000);
  const { code, signal } = await exited;
  clearTimeout(timer);
  return { code, signal, output: output() };
};

/** Sends `signal` (SIGTERM by default) to a started server and waits for it to exit. */
export const stopCli = async (cli: Cli, signal: NodeJS.Signals = 'SIGTERM'): Promise<CliExit> => {
  process.kill(cli.pid, signal);
  return cli.exited;
};

/** SIGKILLs every CLI process still running and waits for them: never leave a server behind. */
export const killAllClis = async () => {
  const left = [...children];
  for (const child of left) if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  await Promise.all(
    left.map(
      (child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve))),
    ),
  );
};
