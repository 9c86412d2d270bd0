import { HttpStatus, Logger } from '@nestjs/common';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../filters/problem-details.filter';
import { PATH_ID_PATTERN } from '../validation/path-id';
import { ProblemException } from '../problems/problem.exception';

const logger = new Logger('Requests');

/**
 * Bodies travel as they are: `Transfer-Encoding: chunked` is the only transfer coding and no
 * content coding is read. Node would otherwise drop an unknown transfer coding (`gzip, chunked`)
 * and read the bytes as if plain, so the gateway and a proxy in front of it could see different
 * bodies (RFC 9112 §6.1 asks to refuse them; a 400 here, since the client is at fault).
 */
export function refuseUnsupportedCodings(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const transfer = request.headers['transfer-encoding'];
    if (transfer !== undefined && transfer.trim().toLowerCase() !== 'chunked') {
      return done(ProblemException.badRequest('transfer codings other than chunked are not supported'));
    }
    const content = request.headers['content-encoding'];
    if (content !== undefined && content.trim().toLowerCase() !== 'identity') {
      return done(new ProblemException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'content codings are not supported: send the body uncompressed'));
    }
    done();
  });
}

/**
 * Fastify's router refuses some URLs before any route, hook or Nest filter runs (a path parameter
 * over the router's limit, a malformed percent-encoding), and would answer with its own JSON that
 * echoes the path. They get the gateway's problem instead; an over-long id is the same `400` as
 * any other invalid path parameter (CONTRACT §5).
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id);
  reply.header('x-content-type-options', 'nosniff');
  const problem =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? ProblemException.badRequest(`path parameter must match ${PATH_ID_PATTERN.source}`)
      : error.code === 'FST_ERR_BAD_URL'
        ? ProblemException.badRequest('malformed URL')
        : new ProblemException(error.statusCode && error.statusCode < 500 ? error.statusCode : HttpStatus.BAD_REQUEST, 'request refused');
  sendProblem(request, reply, problem, logger);
}
