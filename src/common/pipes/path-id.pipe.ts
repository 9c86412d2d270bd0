import { PipeTransform } from '@nestjs/common';
import { ProblemException } from '../problems/problem.exception';

export const PATH_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Path parameters that travel upstream: a plain id or a `400` (CONTRACT §5). */
export class PathIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !PATH_ID_PATTERN.test(value)) {
      throw ProblemException.badRequest('path parameter must match ^[A-Za-z0-9_-]{1,64}$');
    }
    return value;
  }
}
