import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '..');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'emulator' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * The tenant boundary holds by construction only if nothing else can fetch a member or a role:
 * reads of users and roles from the identity client happen in the tenant-scoped accessor and the
 * grants resolver, nowhere else. A new service that reached for them would fail here.
 */
describe('tenant boundary', () => {
  it('reads users and roles upstream only through the authorization layer', () => {
    const readers = sourceFiles(SRC)
      .filter((file) => /\.(getUser|listRoles|listUsers)\(/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file))
      .sort();
    expect(readers).toEqual(['authorization/grants.resolver.ts', 'authorization/tenant-directory.service.ts']);
  });
});
