import type { FronteggErrorBody } from '../identity/frontegg-api.types';

/** An error the emulator answers the way Frontegg does: a status and `{ errors: [...] }`. */
export class FronteggError extends Error {
  constructor(
    readonly statusCode: number,
    readonly messages: string[],
  ) {
    super(messages.join('; '));
  }
}

export const badRequest = (...messages: string[]) => new FronteggError(400, messages);
export const unauthorized = () => new FronteggError(401, ['Unauthorized']);
export const notFound = (message: string) => new FronteggError(404, [message]);

export function errorBody(messages: string[]): FronteggErrorBody {
  return { errors: messages };
}
