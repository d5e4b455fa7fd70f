// A real API for the browser tests: a temporary SQLite database, migrated, with the demo tenant and a
// viewer, served by `involve serve` (uvicorn) on a free port together with the built SPA.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ADMIN = { email: 'admin@demo.involve.example', password: 'e2e-admin-password-0001' };
export const VIEWER = { email: 'viewer@demo.involve.example', password: 'e2e-viewer-password-0001' };

const repo = resolve(import.meta.dirname, '../../..');
const involve = join(repo, '.venv/bin/involve');

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
    server.on('error', fail);
  });
}

export async function startApi() {
  if (!existsSync(involve)) throw new Error(`${involve} is missing: run 'make install' first`);
  const dir = mkdtempSync(join(tmpdir(), 'involve-e2e-'));
  const env = {
    ...process.env,
    INVOLVE_ENV: 'development',
    INVOLVE_DATABASE_URL: `sqlite:///${join(dir, 'e2e.db')}`,
    INVOLVE_ADMIN_EMAIL: ADMIN.email,
    INVOLVE_ADMIN_PASSWORD: ADMIN.password,
    INVOLVE_JWT_SECRET: 'e2e-secret-that-is-long-enough-for-hs256-0123456789',
    INVOLVE_WEB_DIST: join(repo, 'clients/web/dist'),
    INVOLVE_LOG_LEVEL: 'WARNING',
  };
  const run = (...args) => execFileSync(involve, args, { env, cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  run('migrate');
  run('demo');
  run('create-user', '--tenant', 'demo', '--email', VIEWER.email, '--password', VIEWER.password, '--role', 'viewer', '--name', 'Val Viewer');
  const port = await freePort();
  const child = spawn(involve, ['serve', '--host', '127.0.0.1', '--port', String(port)], { env, cwd: dir, stdio: ['ignore', 'inherit', 'pipe'] });
  // The server's log goes on to ours; its ERROR lines (an unhandled error is a 500, whatever the page then showed)
  // are kept for run.mjs, which fails the run on any.
  const errors = [];
  let partial = '';
  child.stderr.on('data', (chunk) => {
    process.stderr.write(chunk);
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop();
    errors.push(...lines.filter((line) => line.includes('"level":"ERROR"')));
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break; // the health probe, not an API call of the app
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    errors: () => errors,
    stop() {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
