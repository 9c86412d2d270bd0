import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsObject,
  IsString,
  IsUrl,
  Length,
  Matches,
  MaxLength,
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
import { IfPresent } from '../../common/validation/if-present';

export const METADATA_MAX_BYTES = 4096;

function MaxSerializedSize(bytes: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'maxSerializedSize',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `$property must be at most ${bytes} bytes as JSON`, ...options },
      validator: { validate: (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8') <= bytes },
    });
}

/**
 * What a user may change about themselves (CONTRACT §4.1). Anything else, such as `email`,
 * `mfaBypass` or `vendorMetadata`, is not a property of this class and is refused by validation.
 * Administrators' changes have their own DTOs.
 */
export class UpdateOwnProfileDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 255, example: 'Alice Liddell' })
  @IfPresent() @IsString() @Length(1, 255)
  name?: string;

  @ApiPropertyOptional({ description: 'E.164', pattern: '^\\+[1-9]\\d{6,14}$', example: '+14155550100' })
  @IfPresent() @IsString() @Matches(/^\+[1-9]\d{6,14}$/, { message: '$property must be an E.164 phone number such as +14155550100' })
  phoneNumber?: string;

  @ApiPropertyOptional({ format: 'uri', maxLength: 4095, example: 'https://cdn.example.com/alice.png' })
  @IfPresent() @IsString() @MaxLength(4095)
  @IsUrl({ protocols: ['https'], require_protocol: true, require_valid_protocol: true }, { message: '$property must be an https URL' })
  profilePictureUrl?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `Free-form JSON object, at most ${METADATA_MAX_BYTES} bytes serialized; replaces the stored metadata`,
    example: { theme: 'dark' },
  })
  @IfPresent() @IsObject() @MaxSerializedSize(METADATA_MAX_BYTES)
  metadata?: Record<string, unknown>;
}
