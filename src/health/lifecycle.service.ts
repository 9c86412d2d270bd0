import { BeforeApplicationShutdown, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/** Knows when the process has begun to shut down, so readiness can turn away new traffic at once. */
@Injectable()
export class Lifecycle implements OnModuleInit, BeforeApplicationShutdown {
  private shuttingDown = false;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Once shutdown has begun, every answer closes its connection: a keep-alive connection that
   * falls idle after the listener closed would otherwise hold the process open until it times out.
   */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // Synchronous: an async hook costs fastify a promise and a microtask turn on every answer.
    fastify.addHook('onSend', (_request, reply, payload, done) => {
      if (this.shuttingDown) reply.header('connection', 'close');
      done(null, payload);
    });
  }

  /** Called by the signal handler before anything else closes. */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  beforeApplicationShutdown(): void {
    this.beginShutdown();
  }
}
