/** An answer larger than the bound its reader was given. */
export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`answer larger than ${limitBytes} bytes`);
  }
}

/**
 * The body of a fetch `Response` as text, never more than `limitBytes` read: an answer that
 * announces more (Content-Length) is refused unread, one that sends more is cut off there. Either
 * way the body is cancelled, which closes the connection.
 */
export async function readBoundedText(response: Response, limitBytes: number): Promise<string> {
  const body = response.body;
  if (!body) return '';
  if (Number(response.headers.get('content-length')) > limitBytes) {
    await body.cancel();
    throw new BodyTooLargeError(limitBytes);
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > limitBytes) {
      await reader.cancel();
      throw new BodyTooLargeError(limitBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks, length));
}
