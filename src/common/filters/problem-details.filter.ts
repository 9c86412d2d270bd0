import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
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

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown, logger: Pick<Logger, 'error' | 'debug'>): void {
  const { body, headers } = toProblem(error, request.id);
  if (body.status >= 500) {
    logger.error({ err: error, requestId: request.id, status: body.status }, 'request failed');
  } else if (error instanceof Error && error.cause) {
    logger.debug({ cause: error.cause, requestId: request.id, status: body.status }, body.detail);
  }
  if (reply.sent) return;
  reply.status(body.status).headers(headers).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
}
