// The real sync-server for one test: a fresh copy of a demo database in a temp dir, `serve` on
// an OS-chosen loopback port, and a stop() that kills the process and removes the dir.
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths.mjs';

const run = promisify(execFile);

/** The server binary: `STAMPCLOCK_SERVER_BIN` or the workspace's debug build. */
export const SERVER_BIN = process.env.STAMPCLOCK_SERVER_BIN || path.join(REPO_ROOT, 'target', 'debug', 'sync-server');

/** The demo's web login (sync-server/src/demo.rs). */
export const DEMO = { admin: 'admin', manager: 'manager', employee: 'anna', password: 'stampclock-demo' };

// Every live child, so an interrupted run does not leave servers behind.
const live = new Set();
process.on('exit', () => { for (const c of live) { try { c.kill('SIGKILL'); } catch { /* gone */ } } });

let template = null;

/** Runs `sync-server demo` once per test process; each test copies the result. */
function demoTemplate() {
  if (!template) {
    template = (async () => {
      if (!fs.existsSync(SERVER_BIN)) throw new Error(`no server binary at ${SERVER_BIN}; run \`cargo build -p sync-server\` or set STAMPCLOCK_SERVER_BIN`);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stampclock-admin-ui-demo-'));
      process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
      await run(SERVER_BIN, ['demo'], { env: serverEnv(dir), timeout: 60_000 });
      const code = fs.readFileSync(path.join(dir, 'demo-enrolment-code.txt'), 'utf8').trim();
      return { dir, code };
    })();
  }
  return template;
}

function serverEnv(dataDir) {
  const env = { ...process.env, STAMPCLOCK_DATA_DIR: dataDir, RUST_LOG: process.env.RUST_LOG || 'warn' };
  delete env.STAMPCLOCK_DATABASE_URL;
  delete env.STAMPCLOCK_CONFIG;
  return env;
}

/**
 * Starts a server on a fresh copy of the demo organisation.
 * Returns {url, dataDir, enrolmentCode, log(), stop()}; stop() is idempotent.
 */
export async function startServer() {
  const { dir: templateDir, code } = await demoTemplate();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stampclock-admin-ui-'));
  fs.cpSync(templateDir, dataDir, { recursive: true });
  const child = spawn(SERVER_BIN, ['serve', '--listen', '127.0.0.1:0'], { env: serverEnv(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { output += d; });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    live.delete(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the server did not print its address within 20 s:\n' + output)), 20_000);
      child.stdout.on('data', (d) => {
        output += d;
        const m = /listening on (http:\/\/[0-9.]+:\d+)/.exec(output);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      child.once('exit', (c) => { clearTimeout(timer); reject(new Error(`the server exited (${c}):\n${output}`)); });
    });
    await waitFor(async () => {
      const res = await fetch(url + '/api/v1/health').catch(() => null);
      return res && res.ok && (await res.json()).status === 'ok';
    }, { timeout: 15_000, what: 'GET /api/v1/health to answer ok' });
    return { url, dataDir, enrolmentCode: code, log: () => output, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Polls `fn` until it returns a truthy value (returned) or the timeout passes (throws). */
export async function waitFor(fn, { timeout = 10_000, interval = 100, what = 'a condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ': ' + last.message : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
