import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyTooLargeError, readBoundedText } from './bounded-body';

describe('readBoundedText', () => {
  let server: Server;
  let answer: (response: ServerResponse) => void;
  let closedEarly: boolean;
  let url: string;

  beforeEach(async () => {
    closedEarly = false;
    server = createServer((_request, response) => {
      response.once('close', () => (closedEarly = !response.writableFinished));
      answer(response);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    server.closeAllConnections();
    server.close();
  });

  /** 8 MiB in 64 KiB chunks, with back-pressure. */
  const streamLarge = (response: ServerResponse) => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let left = 128;
    const pump = () => {
      while (left-- > 0 && !response.destroyed) if (!response.write(chunk)) return void response.once('drain', pump);
      response.end();
    };
    pump();
  };

  it('reads an answer within the bound', async () => {
    answer = (response) => response.end('{"keys":[]}');
    expect(await readBoundedText(await fetch(url), 1024)).toBe('{"keys":[]}');
  });

  it('refuses an announced length over the bound without reading it', async () => {
    answer = (response) => {
      response.writeHead(200, { 'content-length': String(8 * 1024 * 1024) });
      response.write('x'); // and then nothing: a reader that waited for the body would hang
    };
    await expect(readBoundedText(await fetch(url), 1024)).rejects.toBeInstanceOf(BodyTooLargeError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closedEarly).toBe(true);
  });

  it('cuts off a streamed answer once it passes the bound', async () => {
    answer = streamLarge;
    await expect(readBoundedText(await fetch(url), 100_000)).rejects.toThrow('answer larger than 100000 bytes');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closedEarly).toBe(true);
  });
});
