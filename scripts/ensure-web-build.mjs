#!/usr/bin/env node
// Builds the web UI when dist/web is missing or older than its sources, so `npm start` works on a fresh clone
// and restarts stay fast.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..');
const built = path.join(root, 'dist/web/index.html');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const sources = [path.join(root, 'src/web'), path.join(root, 'src/contracts')];
const srcTime = Math.max(...sources.filter(existsSync).map(newest), statSync(path.join(root, 'vite.config.ts')).mtimeMs);
if (existsSync(built) && statSync(built).mtimeMs >= srcTime) process.exit(0);
console.log('Building the web UI (vite)…');
const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
