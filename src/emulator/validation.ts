import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';

/** Name of the format for Frontegg's "stringified JSON object" fields (metadata, vendorMetadata). */
export const JSON_OBJECT_STRING = 'json-object-string';

export function isJsonObjectString(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/**
 * The validator of request bodies, also used by the tests on answers. No type coercion
 * and no defaults: a body is valid as sent or refused, never quietly repaired.
 * unicodeRegExp is off so Frontegg's phoneNumber pattern can be kept verbatim: it
 * escapes '-', which a Unicode-mode regular expression refuses.
 */
export function createAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    coerceTypes: false,
    useDefaults: false,
    unicodeRegExp: false,
  });
  addFormats(ajv);
  ajv.addFormat(JSON_OBJECT_STRING, { type: 'string', validate: isJsonObjectString });
  return ajv;
}

function describe(error: ErrorObject): string {
  const field = error.instancePath.replace(/^\//, '').replaceAll('/', '.') || 'body';
  switch (error.keyword) {
    // Worded as Frontegg (a NestJS service) words a forbidden property.
    case 'additionalProperties':
      return `property ${String(error.params.additionalProperty)} should not exist`;
    case 'required':
      return `${field === 'body' ? '' : `${field}.`}${String(error.params.missingProperty)} is required`;
    case 'format':
      return error.params.format === JSON_OBJECT_STRING
        ? `${field} must be a string holding a JSON object`
        : `${field} ${error.message}`;
    default:
      return `${field} ${error.message}`;
  }
}

/** Readable messages for a Frontegg-style `{ errors: [...] }` body. */
export function describeValidationErrors(errors: ErrorObject[]): string[] {
  return [...new Set(errors.map(describe))];
}
