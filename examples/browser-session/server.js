// The site's front door for the browser-session example: serves the page and forwards /auth/* and
// /v1/* to the gateway, so that page and gateway share one origin (docs/browser-sessions.md).
// Any reverse proxy (nginx, Caddy, an ingress) does the same in a real deployment; this one has no
// dependency and no build step:  GATEWAY_URL=http://127.0.0.1:3000 PORT=8080 node examples/browser-session/server.js
'use strict';

const { readFileSync } = require('node:fs');
const http = require('node:http');
const { join } = require('node:path');

const PAGE_FILES = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
};
/** What reaches the gateway: its sign-in and session routes, and the API. */
const GATEWAY_PATHS = /^\/(auth|v1)(\/|\?|$)/;
/** The page's own policy: its script from this origin only, its calls to this origin only. */
const PAGE_POLICY = "default-src 'none'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/** Headers of one connection, which a proxy never forwards (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

function withoutHopByHop(rawHeaders) {
  const kept = [];
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if (!HOP_BY_HOP.has(rawHeaders[index].toLowerCase())) kept.push(rawHeaders[index], rawHeaders[index + 1]);
  }
  return kept;
}

function cookieNames(header) {
  return header === undefined ? [] : header.split(';').map((pair) => pair.split('=')[0].trim());
}

/**
 * Starts the front door on `port` (0: any free one) of `host`, in front of the gateway at `gatewayUrl`.
 * `onExchange`, when given, hears of every answered request: its method, path, the names of the
 * cookies it carried, its Origin, and the answer's status.
 */
function startExampleSite({ gatewayUrl, port = 0, host = '127.0.0.1', onExchange }) {
  const gateway = new URL(gatewayUrl);
  const server = http.createServer((request, response) => {
    const path = request.url ?? '/';
    const exchange = { method: request.method, path, cookies: cookieNames(request.headers.cookie), origin: request.headers.origin };
    response.on('finish', () => onExchange?.({ ...exchange, status: response.statusCode }));
    const page = PAGE_FILES[path.split('?')[0]];
    if (page && (request.method === 'GET' || request.method === 'HEAD')) {
      response.writeHead(200, { 'content-type': page.type, 'cache-control': 'no-store', 'content-security-policy': PAGE_POLICY, 'x-content-type-options': 'nosniff' });
      response.end(request.method === 'HEAD' ? undefined : readFileSync(join(__dirname, page.file)));
      return;
    }
    if (!GATEWAY_PATHS.test(path)) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    // Forwarded as sent (the browser's Host, cookie, Origin and X-CSRF included): the gateway judges them.
    const upstream = http.request(
      { protocol: gateway.protocol, hostname: gateway.hostname, port: gateway.port, method: request.method, path, headers: withoutHopByHop(request.rawHeaders) },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.rawHeaders));
        answer.pipe(response);
      },
    );
    upstream.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`the gateway did not answer: ${error.message}\n`);
    });
    request.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        port: address.port,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    });
  });
}

module.exports = { startExampleSite };

if (require.main === module) {
  const gatewayUrl = process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000';
  const port = Number(process.env.PORT ?? 8080);
  startExampleSite({ gatewayUrl, port, host: process.env.HOST ?? '127.0.0.1' }).then(
    () => console.log(`Example page: http://localhost:${port}/ (the gateway behind it: ${gatewayUrl}; start it with PUBLIC_URL=http://localhost:${port})`),
    (error) => {
      console.error(error.message);
      process.exitCode = 1;
    },
  );
}
