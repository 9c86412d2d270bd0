import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/** Knows when the process has begun to shut down, so readiness can turn away new traffic at once. */
@Injectable()
export class Lifecycle implements BeforeApplicationShutdown {
  private shuttingDown = false;

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }
}
