import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { BatchedWriter } from './batched-writer';

describe('BatchedWriter', () => {
  let dir: string;
  let file: string;
  let fd: number;
  const written = () => readFileSync(file, 'utf8');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'batched-writer-'));
    file = join(dir, 'out.log');
    fd = openSync(file, 'w');
  });

  afterEach(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds lines until minLength characters are held, then writes them all, in order', () => {
    const writer = new BatchedWriter(fd, { minLength: 30, flushEveryMs: 0 });
    writer.write('line one\n');
    writer.write('line two\n');
    expect(written()).toBe('');

    writer.write('line three, the 30th character\n');
    expect(written()).toBe('line one\nline two\nline three, the 30th character\n');
  });

  it('writes what it holds on flushSync, multi-byte characters whole', () => {
    const writer = new BatchedWriter(fd, { minLength: 4096, flushEveryMs: 0 });
    writer.write('{"name":"Zoë 🦊"}\n');
    writer.flushSync();
    writer.flushSync();
    expect(written()).toBe('{"name":"Zoë 🦊"}\n');
  });

  it("is pino's destination: every line of a logger arrives, as JSON", () => {
    const writer = new BatchedWriter(fd, { minLength: 4096, flushEveryMs: 0 });
    const logger = pino({ base: undefined, timestamp: false }, writer);
    for (let i = 0; i < 100; i++) logger.info({ i }, 'request');
    writer.end();
    const lines = written().trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { i: number }).i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
