import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE, toProblem } from '../problems/problem-details';
import { ProblemException } from '../problems/problem.exception';

/** Node's own limit, stated so that `--max-http-header-size` cannot silently raise it. */
export const MAX_HEADER_BYTES = 16 * 1024;

interface ConnectionError extends Error {
  code?: string;
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a header section over
 * MAX_HEADER_BYTES, such as a 1 MB token; a malformed request line; a Content-Length that is not
 * a number or conflicts with Transfer-Encoding; a request that took too long) still get the
 * gateway's one error shape: an RFC 9457 body with a fresh request id, then the connection is
 * closed, since what follows on it cannot be trusted. Never a 5xx: the client sent it.
 */
export function answerClientError(error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const detail =
    status === 431
      ? `request header section larger than ${MAX_HEADER_BYTES} bytes`
      : status === 408
        ? 'request not received in time'
        : 'malformed HTTP request';
  const requestId = randomUUID();
  const body = JSON.stringify(toProblem(new ProblemException(status, detail), requestId).body);
  if (socket.writable) {
    socket.write(
      [
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
        `content-type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
        `content-length: ${Buffer.byteLength(body)}`,
        `x-request-id: ${requestId}`,
        'x-content-type-options: nosniff',
        'cache-control: no-store',
        'connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  }
  socket.destroy();
}
