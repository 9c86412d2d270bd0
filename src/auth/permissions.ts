/**
 * Whether the granted permission keys cover `required`. A grant ending in `.*` covers every key
 * below it (`fe.secure.*` covers `fe.secure.read.roles`); a bare `*` covers everything.
 */
export function holdsPermission(granted: readonly string[], required: string): boolean {
  return granted.some((grant) => grant === required || coversByWildcard(grant, required));
}

/** The required keys that the granted keys do not cover, in the order given. */
export function missingPermissions(granted: readonly string[], required: readonly string[]): string[] {
  return required.filter((key) => !holdsPermission(granted, key));
}

function coversByWildcard(grant: string, required: string): boolean {
  if (grant === '*') return true;
  return grant.endsWith('.*') && required.startsWith(grant.slice(0, -1));
}
