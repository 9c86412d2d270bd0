import { ArgumentMetadata, type Type, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { ProblemException } from '../problems/problem.exception';

/**
 * Request bodies are exactly their DTO: unknown properties are refused (never silently dropped),
 * so a caller learns at once that a field such as `mfaBypass` is not theirs to set.
 */
function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => invalidInput(errors.flatMap((error) => flatten(error))),
  });
}

/** A `400` naming each invalid property, in `detail` and in the `errors` extension. */
function invalidInput(invalid: { property: string; message: string }[]): ProblemException {
  return ProblemException.badRequest(invalid.map((item) => item.message).join('; ') || 'invalid request body', { errors: invalid });
}

/**
 * class-transformer skips body keys that name an inherited method (`toString`, `hasOwnProperty`,
 * `valueOf`, ...) before class-validator looks, so `forbidNonWhitelisted` never sees them and they
 * would be dropped silently. The keys of the body as sent are checked against the DTO first.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (validatedBodies.has(value as object)) return value;
    if (metadata.type === 'body' && typeof metadata.metatype === 'function' && isPlainObject(value)) {
      refuseUnknownProperties(value, metadata.metatype);
    }
    return super.transform(value, metadata);
  }
}

/** Bodies the policy guard already validated (its rules read them): not validated twice. */
const validatedBodies = new WeakSet<object>();
let sharedPipe: ValidationPipe | undefined;

/** The one validation pipe: bound to every route's inputs (input-validation.ts), and used by validateBody. */
export function inputValidationPipe(): ValidationPipe {
  return (sharedPipe ??= createValidationPipe());
}

/** Validates a body as a route's inputs are (same rules, same `400`), for code that runs before pipes. */
export async function validateBody<T extends object>(dto: Type<T>, body: unknown): Promise<T> {
  const validated = (await inputValidationPipe().transform(body, { type: 'body', metatype: dto })) as T;
  if (typeof validated === 'object' && validated !== null) validatedBodies.add(validated);
  return validated;
}

/** The validated properties of each DTO, read once: class-validator scans all its metadata per lookup. */
const propertiesOfDto = new WeakMap<Function, ReadonlySet<string>>();

function validatedProperties(dto: Function): ReadonlySet<string> {
  let known = propertiesOfDto.get(dto);
  if (!known) {
    known = new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).map((rule) => rule.propertyName));
    propertiesOfDto.set(dto, known);
  }
  return known;
}

function refuseUnknownProperties(body: Record<string, unknown>, dto: Function): void {
  const known = validatedProperties(dto);
  if (known.size === 0) return; // not a validated DTO
  const unknown = Object.keys(body).filter((key) => !known.has(key));
  if (unknown.length === 0) return;
  throw invalidInput(unknown.map((property) => ({ property, message: `property ${property} should not exist` })));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function flatten(error: ValidationError, parent = ''): { property: string; message: string }[] {
  const property = parent ? `${parent}.${error.property}` : error.property;
  const own = Object.values(error.constraints ?? {}).map((message) => ({ property, message }));
  return [...own, ...(error.children ?? []).flatMap((child) => flatten(child, property))];
}
