import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** RFC 9457 problem details, as every error of the gateway is answered. */
export class ProblemDto {
  @ApiProperty({ example: 'about:blank' }) type!: string;
  @ApiProperty({ example: 'Forbidden' }) title!: string;
  @ApiProperty({ example: 403 }) status!: number;
  @ApiProperty({ example: 'missing permission fe.secure.read.roles' }) detail!: string;
  @ApiProperty({ example: '3f1c2b8e-4d59-4a51-9c1e-2a8f0e6d7b10' }) requestId!: string;
  @ApiPropertyOptional({
    description: 'For invalid input: each invalid property and why',
    example: [{ property: 'mfaBypass', message: 'property mfaBypass should not exist' }],
  })
  errors?: { property: string; message: string }[];
}
