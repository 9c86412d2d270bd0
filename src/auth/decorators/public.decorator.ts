import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:public';

/** The only way out of authentication: every route without it requires a valid token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
