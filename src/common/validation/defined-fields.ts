/**
 * The listed fields of a validated DTO that were given, and nothing else: upstream bodies are
 * built from an explicit allowlist, never by spreading what the client sent.
 */
export function definedFields<T extends object, K extends keyof T>(source: T, fields: readonly K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const field of fields) {
    if (source[field] !== undefined) picked[field] = source[field];
  }
  return picked;
}
