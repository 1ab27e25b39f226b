import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * Import cycles and boundaries of src/, read from the sources (no tool needed): every relative
 * value import (`import type` and `export type` are erased and do not count). A cycle means two
 * files cannot be understood, loaded or tested apart; the module boundaries are those of STYLE.md.
 */

const ROOT = path.resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** The files a source imports at run time (relative specifiers only). */
export function valueImports(file: string, text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const [, , isType, clause, spec] = m;
    if (isType || !spec.startsWith('.')) continue;
    // `import { type A, type B } from` is erased too.
    if (
      clause &&
      /^\{[^}]*\}\s+from\s+$/.test(clause.trim() + ' ') &&
      /^\{\s*(type\s+\w+(\s+as\s+\w+)?\s*,?\s*)+\}/.test(clause.trim())
    )
      continue;
    const base = path.resolve(path.dirname(file), spec.replace(/\.js$/, ''));
    const hit = ['.ts', '.tsx', '/index.ts', '/index.tsx'].map((x) => base + x).find((p) => fs.existsSync(p));
    if (hit) out.push(hit);
  }
  return out;
}

/** Strongly connected components with more than one file (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.map((f) => path.relative(ROOT, f)).sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('import graph of src/', () => {
  const graph = new Map<string, string[]>();
  for (const f of sourceFiles(path.join(ROOT, 'src')))
    graph.set(f, valueImports(f, fs.readFileSync(f, 'utf8')));

  it('reads the imports it should (a sanity check of the parser)', () => {
    const app = graph.get(path.join(ROOT, 'src/server/app.ts'))!;
    expect(app.map((f) => path.relative(ROOT, f))).toContain('src/server/modules/accounts/index.ts');
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['a']],
          ['c', ['a']],
        ]),
      ),
    ).toHaveLength(1);
  });

  it('has no import cycle', () => {
    expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });
});
