import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The modules a file loads when it runs: its value imports and re-exports, followed through
 * relative paths (type-only imports vanish from the bundle and are skipped). Packages are
 * collected by name, with the chain of files that reached each.
 */
function loaded(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const walk = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.set(file, chain);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    for (const statement of source.statements) {
      if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || statement.moduleSpecifier === undefined) continue;
      if (ts.isImportDeclaration(statement)) {
        const clause = statement.importClause;
        const named = clause?.namedBindings;
        const typeOnly =
          clause !== undefined &&
          (clause.isTypeOnly ||
            (clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)));
        if (typeOnly) continue;
      } else {
        const names = statement.exportClause;
        if (statement.isTypeOnly || (names !== undefined && ts.isNamedExports(names) && names.elements.length > 0 && names.elements.every((e) => e.isTypeOnly))) continue;
      }
      const spec = (statement.moduleSpecifier as ts.StringLiteral).text;
      // Styles and asset URLs (`./styles.css`, `…?url`) are not code: nothing runs from them.
      if (/\.(css|svg|png)$|\?/.test(spec)) continue;
      if (!spec.startsWith('.')) {
        if (!seen.has(`package:${spec}`)) seen.set(`package:${spec}`, [...chain, spec]);
        continue;
      }
      const base = resolve(dirname(file), spec);
      const next = [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`].find((f) => existsSync(f));
      if (next === undefined) throw new Error(`${file}: cannot resolve ${spec}`);
      walk(next, [...chain, relative(process.cwd(), next)]);
    }
  };
  walk(resolve(entry), [entry]);
  return seen;
}

const tfjsReached = (entry: string) =>
  [...loaded(entry).entries()].filter(([name]) => name.startsWith('package:@tensorflow/')).map(([, chain]) => chain.join(' → '));

describe("the page's own thread never loads tfjs", () => {
  it('src/engine/pure.ts reaches no tfjs module', () => {
    expect(tfjsReached('src/engine/pure.ts')).toEqual([]);
  });

  it('the page (src/ui/main.tsx and everything it imports) reaches no tfjs module; the worker does', () => {
    expect(tfjsReached('src/ui/main.tsx')).toEqual([]);
    expect(tfjsReached('src/worker/engine.worker.ts').length).toBeGreaterThan(0);
  });

  it('the check itself sees tfjs where it is (src/engine/index.ts)', () => {
    expect(tfjsReached('src/engine/index.ts').length).toBeGreaterThan(0);
  });
});
