import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsString, Length, Max, Min } from 'class-validator';
import { IfPresent } from '../../common/validation/if-present';

export const MEMBER_SORT_FIELDS = ['createdAt', 'name', 'email'] as const;
export const SORT_ORDERS = ['asc', 'desc'] as const;

/** Digits only become a number; anything else (`1.5`, `1e3`, ``, a repeated parameter) stays as sent and fails `IsInt`. */
const wholeNumber = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value));

/** `GET /v1/users` query (CONTRACT §4.3): any other parameter or value is a `400` naming it. */
export class ListMembersQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20, type: 'integer' })
  @wholeNumber() @IsInt() @Min(1) @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({ minimum: 0, maximum: 10000, default: 0, type: 'integer', description: 'Page number, 0 for the first page' })
  @wholeNumber() @IsInt() @Min(0) @Max(10000)
  page: number = 0;

  @ApiPropertyOptional({ minLength: 1, maxLength: 254, description: 'Only the member with this email address', example: 'bob@acme.test' })
  @IfPresent() @IsString() @Length(1, 254)
  email?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 128, description: 'Only members whose name starts with this', example: 'Bo' })
  @IfPresent() @IsString() @Length(1, 128)
  name?: string;

  @ApiPropertyOptional({ enum: MEMBER_SORT_FIELDS, default: 'createdAt' })
  @IsIn(MEMBER_SORT_FIELDS)
  sort: (typeof MEMBER_SORT_FIELDS)[number] = 'createdAt';

  @ApiPropertyOptional({ enum: SORT_ORDERS, default: 'desc' })
  @IsIn(SORT_ORDERS)
  order: (typeof SORT_ORDERS)[number] = 'desc';
}
