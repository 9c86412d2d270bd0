import type { ApiParamOptions } from '@nestjs/swagger';
import { PATH_ID_PATTERN } from '../validation/path-id';

/** A path id as the document declares it: a string of the one pattern every path id is checked against. */
export function pathIdParameter(name: string): ApiParamOptions {
  return { name, required: true, schema: { type: 'string', pattern: PATH_ID_PATTERN.source } };
}
