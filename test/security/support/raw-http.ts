import { connect } from 'node:net';
import { checkAnswer, conformanceError, isGatewayPort } from '../../support/openapi-conformance';

export interface RawResponse {
  /** 0 when the server closed the connection without answering. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Every byte the server sent, for checks no parser would let through. */
  raw: string;
  /** The server closed the connection (rather than the test timing out). */
  closed: boolean;
}

export interface RawRequestOptions {
  /** After writing, half-close the socket (the client sends FIN). */
  endAfterWrite?: boolean;
  /** Give up waiting after this long; the answer is then whatever arrived. */
  timeoutMs?: number;
}

/**
 * Sends bytes exactly as given over a plain TCP socket, for requests that no HTTP client would
 * send (Content-Length lies, raw non-ASCII in the path, bytes that are not UTF-8), and reads the
 * first answer. The request should carry `connection: close` so that the server ends the answer.
 */
export function rawRequest(port: number, request: string | Buffer, options: RawRequestOptions = {}): Promise<RawResponse> {
  const { endAfterWrite = false, timeoutMs = 3000 } = options;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let closed = false;
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(request);
      if (endAfterWrite) socket.end();
    });
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      // One answer is all a test needs: stop once it is complete.
      const parsed = parse(Buffer.concat(chunks));
      if (parsed.complete) socket.destroy();
    });
    socket.on('end', () => (closed = true));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const parsed = parse(all);
      // An answer of the gateway is checked against openapi/gateway.json like any other.
      if (parsed.status > 0 && isGatewayPort(port)) {
        const [method = '', target = ''] = Buffer.from(request).toString('latin1').split('\r\n', 1)[0].split(' ');
        const verdict = checkAnswer({ method, url: target, status: parsed.status, headers: parsed.headers, text: parsed.complete ? parsed.body : '' });
        if (verdict.mismatches.length > 0) return reject(conformanceError(verdict));
      }
      resolve({ status: parsed.status, headers: parsed.headers, body: parsed.body, raw: all.toString('latin1'), closed: closed || parsed.complete });
    });
  });
}

/** Builds a request text with CRLF line ends. */
export function httpText(lines: string[], body = ''): string {
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

function parse(data: Buffer): { status: number; headers: Record<string, string>; body: string; complete: boolean } {
  const text = data.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, body: '', complete: false };
  const [statusLine, ...headerLines] = text.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let bodyBytes = data.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
  let complete: boolean;
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    complete = bodyBytes.length >= length;
    bodyBytes = bodyBytes.subarray(0, length);
  } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const decoded = dechunk(bodyBytes);
    complete = decoded.complete;
    bodyBytes = decoded.body;
  } else {
    complete = false;
  }
  return { status, headers, body: bodyBytes.toString('utf8'), complete };
}

function dechunk(data: Buffer): { body: Buffer; complete: boolean } {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset, 'latin1');
    if (lineEnd < 0) return { body: Buffer.concat(parts), complete: false };
    const size = parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return { body: Buffer.concat(parts), complete: false };
    if (size === 0) return { body: Buffer.concat(parts), complete: true };
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}
