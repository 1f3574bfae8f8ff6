import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ts from 'typescript';

/** The packages the browser entry may load at run time: plain JavaScript that Vite bundles for the staff web app. */
const browserPackages = ['currency-codes', 'decimal.js', 'zod'];

/** Module specifiers a file loads at run time; imports and exports of types only are erased by the compiler. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const named = clause?.namedBindings;
      const typesOnly =
        clause?.isTypeOnly === true ||
        (clause?.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.every((element) => element.isTypeOnly));
      if (!typesOnly) specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return specifiers;
}

/** Every package reached from an entry file through relative imports. */
function packagesReachedFrom(entry: string): { packages: Set<string>; files: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith('.')) visit(`${join(dirname(file), specifier)}.ts`);
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { packages, files };
}

describe('the browser entry of the contract', () => {
  const reached = packagesReachedFrom(join(__dirname, 'browser.ts'));

  it('loads no node-only module and no package beyond the plain JavaScript ones it needs', () => {
    expect([...reached.packages].sort()).toEqual(browserPackages);
  });

  it('sees node:crypto behind the full entry, so the walk above would catch it', () => {
    expect(packagesReachedFrom(join(__dirname, 'index.ts')).packages).toContain('node:crypto');
  });
});
