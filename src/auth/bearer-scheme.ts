/** The OpenAPI security scheme of the Frontegg user access token. */
export const BEARER_SCHEME = 'bearer';
