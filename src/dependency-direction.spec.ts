import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SRC = __dirname;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The top-level folders of src/ a file imports from (type-only imports and re-exports count too). */
function foldersImportedBy(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import|require\()\s*['"](\.[^'"]+)['"]/g)].map((match) => match[1]);
  return new Set(specifiers.map((specifier) => relative(SRC, resolve(dirname(file), specifier)).split(sep)[0]));
}

/** Every (file, folder) import that climbs from `lower` into one of `higher`. */
function climbing(lower: string, higher: readonly string[]): string[] {
  return sourceFiles(join(SRC, lower)).flatMap((file) =>
    [...foldersImportedBy(file)].filter((folder) => higher.includes(folder)).map((folder) => `${relative(SRC, file)} -> ${folder}/`),
  );
}

/**
 * Dependencies point one way (issue 21 item 8): browser sessions are a credential source that
 * implements auth's port, authorization builds on authentication, and common/ serves them all. A
 * lower floor that reached up (a guard importing the sessions module, the principal importing the
 * authorization layer) would fail here.
 */
describe('dependency direction', () => {
  it('auth/, common/ and authorization/ import nothing from sessions/', () => {
    expect(['auth', 'common', 'authorization'].flatMap((lower) => climbing(lower, ['sessions']))).toEqual([]);
  });

  it('auth/ imports nothing from authorization/', () => {
    expect(climbing('auth', ['authorization'])).toEqual([]);
  });

  it('reads imports the way the code writes them', () => {
    const sample = join(SRC, 'auth', 'authentication.guard.ts');
    expect(foldersImportedBy(sample)).toContain('common');
  });
});
