import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Who may import what (architecture.md, "Layout"): enforced here because unenforced rules drift.
 * shared ← everything; contracts imports only zod; a module imports other modules only through their index.ts and
 * only its repository touches db; http and jobs never import repositories; web imports only contracts and itself.
 */
const root = path.resolve(import.meta.dirname, '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx)$/.test(f) ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2]!;
    if (spec.startsWith('.')) out.push(path.resolve(path.dirname(file), spec));
    else out.push(spec);
  }
  return out;
}

const rel = (p: string) => path.relative(root, p).replaceAll(path.sep, '/');

describe('import rules', () => {
  const all = files(root).filter((f) => !/\.test\.tsx?$/.test(f));

  it('shared imports nothing of ours except types of contracts', () => {
    const bad = all
      .filter((f) => rel(f).startsWith('shared/'))
      .flatMap((f) => importsOf(f).filter((i) => i.startsWith(root) && !rel(i).startsWith('shared/') && !rel(i).startsWith('contracts/')).map((i) => `${rel(f)} → ${rel(i)}`));
    expect(bad).toEqual([]);
  });

  it('contracts import only zod and each other', () => {
    const bad = all
      .filter((f) => rel(f).startsWith('contracts/'))
      .flatMap((f) => importsOf(f).filter((i) => (i.startsWith(root) ? !rel(i).startsWith('contracts/') : i !== 'zod')).map((i) => `${rel(f)} → ${i}`));
    expect(bad).toEqual([]);
  });

  it('modules reach other modules only through index.ts, and only repositories touch db', () => {
    const bad: string[] = [];
    for (const f of all.filter((x) => rel(x).startsWith('modules/'))) {
      const own = rel(f).split('/')[1];
      for (const i of importsOf(f).filter((x) => x.startsWith(root))) {
        const r = rel(i);
        if (r.startsWith('modules/')) {
          const other = r.split('/')[1];
          if (other !== own && !/^modules\/[^/]+\/index(\.js)?$/.test(r)) bad.push(`${rel(f)} → ${r}`);
        }
        if (r.startsWith('db/') && !/\.repository\.ts$/.test(f) && !/^db\/client(\.js)?$/.test(r)) bad.push(`${rel(f)} → ${r} (only repositories use db)`);
        if (r.startsWith('http/') || r.startsWith('cli/') || r.startsWith('web/')) bad.push(`${rel(f)} → ${r}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('only repositories open embedded analytic databases (DuckDB, the indicators\' analytic store)', () => {
    const bad = all
      .filter((f) => !/\.repository\.ts$/.test(f))
      .flatMap((f) => importsOf(f).filter((i) => i.startsWith('@duckdb/')).map((i) => `${rel(f)} → ${i}`));
    expect(bad).toEqual([]);
  });

  it('http, jobs and cli never import a repository', () => {
    const bad = all
      .filter((f) => /^(http|jobs|cli)\//.test(rel(f)))
      .flatMap((f) => importsOf(f).filter((i) => /\.repository(\.js)?$/.test(i)).map((i) => `${rel(f)} → ${rel(i)}`));
    expect(bad).toEqual([]);
  });

  it('web imports only contracts and itself', () => {
    const bad = all
      .filter((f) => rel(f).startsWith('web/'))
      .flatMap((f) => importsOf(f).filter((i) => i.startsWith(root) && !rel(i).startsWith('web/') && !rel(i).startsWith('contracts/')).map((i) => `${rel(f)} → ${rel(i)}`));
    expect(bad).toEqual([]);
  });
});
