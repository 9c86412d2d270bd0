import { writeSync } from 'node:fs';
import type { DestinationStream } from 'pino';

export interface BatchedWriterOptions {
  /** Written once this many characters are held (default 4096). */
  minLength?: number;
  /** And at least this often while lines are held, in ms (default 100; 0: only by size and flushSync). */
  flushEveryMs?: number;
}

const WAIT = new Int32Array(new SharedArrayBuffer(4));

/**
 * Log lines for a file descriptor, held in a list and written together once `minLength`
 * characters are held, every `flushEveryMs`, and on `flushSync()`. Synchronous, as pino's default:
 * an asynchronous writer fell behind a busy gateway and its buffer grew by megabytes a second.
 *
 * Hand-written rather than pino.destination({ sync, minLength }) (sonic-boom 4): sonic-boom
 * appends each line to one growing string and measures it with Buffer.byteLength on every write,
 * so a 4 KiB batch of ~400-byte lines is scanned ten times over. Measured paired, bench B (cached
 * read, access log at info): sonic-boom's batch 7-8 µs CPU/request more than this one (issue 14,
 * see the README's performance section). A descriptor in non-blocking mode (a pipe) is retried
 * on EAGAIN, as sonic-boom does, after a short sleep.
 */
export class BatchedWriter implements DestinationStream {
  private lines: string[] = [];
  private held = 0;
  private readonly minLength: number;
  private readonly timer?: NodeJS.Timeout;

  constructor(
    private readonly fd: number,
    { minLength = 4096, flushEveryMs = 100 }: BatchedWriterOptions = {},
  ) {
    this.minLength = minLength;
    if (flushEveryMs > 0) this.timer = setInterval(() => this.flushSync(), flushEveryMs).unref();
  }

  write(line: string): void {
    this.lines.push(line);
    this.held += line.length;
    if (this.held >= this.minLength) this.flushSync();
  }

  /** Writes everything held now. */
  flushSync(): void {
    if (this.lines.length === 0) return;
    const bytes = Buffer.from(this.lines.length === 1 ? this.lines[0] : this.lines.join(''), 'utf8');
    this.lines = [];
    this.held = 0;
    let offset = 0;
    while (offset < bytes.length) {
      try {
        offset += writeSync(this.fd, bytes, offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        Atomics.wait(WAIT, 0, 0, 10);
      }
    }
  }

  /** Stops the periodic flush (after a last flushSync). */
  end(): void {
    this.flushSync();
    clearInterval(this.timer);
  }
}
