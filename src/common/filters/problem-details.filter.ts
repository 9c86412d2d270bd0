import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, toProblem } from '../problems/problem-details';

/** The only way an error leaves the gateway: RFC 9457 problem details with the request id. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendProblem(request, reply, error, this.logger);
  }
}

/**
 * Logs by what the failure is: a bug (anything that is not a deliberate problem) as an error with
 * its stack; an expected 5xx (upstream down, circuit open) as one short warning with its cause;
 * a refusal of the client's request at debug level only.
 */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown, logger: Pick<Logger, 'error' | 'warn' | 'debug'>): void {
  const { body, headers } = toProblem(error, request.id);
  const context = { requestId: request.id, status: body.status };
  if (!(error instanceof HttpException) && body.status >= 500) {
    logger.error({ err: error, ...context }, 'request failed');
  } else if (body.status >= 500) {
    logger.warn({ ...context, cause: (error as Error).cause }, body.detail);
  } else if (error instanceof Error && error.cause) {
    logger.debug({ cause: error.cause, ...context }, body.detail);
  }
  if (reply.sent) return;
  reply.status(body.status).headers(headers).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
}
