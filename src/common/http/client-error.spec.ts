import type { Socket } from 'node:net';
import { answerClientError } from './client-error';

function socket(): { socket: Socket; written: string[]; destroyed: () => boolean } {
  const written: string[] = [];
  let destroyed = false;
  const fake = {
    writable: true,
    get destroyed() {
      return destroyed;
    },
    write: (data: string) => written.push(data),
    destroy: () => (destroyed = true),
  } as unknown as Socket;
  return { socket: fake, written, destroyed: () => destroyed };
}

describe('answerClientError', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 431],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408],
    ['HPE_INVALID_CONSTANT', 400],
    [undefined, 400],
  ])('%s: a %i problem, then the connection is closed', (code, status) => {
    const { socket: s, written, destroyed } = socket();
    answerClientError(Object.assign(new Error('parse error'), { code }), s);
    const [response] = written;
    expect(response).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(response).toMatch(/\r\ncontent-type: application\/problem\+json; charset=utf-8\r\n/);
    const body = JSON.parse(response.split('\r\n\r\n')[1]);
    expect(body).toMatchObject({ type: 'about:blank', status, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(response).toContain(`x-request-id: ${body.requestId}`);
    expect(response).not.toContain('parse error');
    expect(destroyed()).toBe(true);
  });

  it('writes nothing on a reset connection', () => {
    const { socket: s, written } = socket();
    answerClientError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), s);
    expect(written).toEqual([]);
  });
});
