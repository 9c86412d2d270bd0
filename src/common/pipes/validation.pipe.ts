import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ProblemException } from '../problems/problem.exception';

/**
 * Request bodies are exactly their DTO: unknown properties are refused (never silently dropped),
 * so a caller learns at once that a field such as `mfaBypass` is not theirs to set.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const invalid = errors.flatMap((error) => flatten(error));
      return ProblemException.badRequest(invalid.map((item) => item.message).join('; ') || 'invalid request body', {
        errors: invalid,
      });
    },
  });
}

function flatten(error: ValidationError, parent = ''): { property: string; message: string }[] {
  const property = parent ? `${parent}.${error.property}` : error.property;
  const own = Object.values(error.constraints ?? {}).map((message) => ({ property, message }));
  return [...own, ...(error.children ?? []).flatMap((child) => flatten(child, property))];
}
