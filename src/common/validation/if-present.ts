import { ValidateIf } from 'class-validator';

/**
 * Optional, but `null` is not a value: a property that is present must be valid. (class-validator's
 * IsOptional would let `null` through to the upstream body.)
 */
export const IfPresent = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);
