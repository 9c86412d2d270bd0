import { Controller, Get, HttpCode, HttpStatus, Post, Query, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiDenials, Authorize } from '../authorization/authorize.decorator';
import { Policies } from '../authorization/policies';
import { Public } from '../auth/decorators/public.decorator';
import { ApiProblems } from '../common/openapi/problem-responses';
import { LoginQueryDto, LogoutDto, SessionDto } from './dto/session.dto';
import { sessionRequirement } from '../common/openapi/security-schemes';
import { SessionsService } from './sessions.service';

const SIGN_IN_PROBLEMS = {
  502: 'The hosted login failed or could not be reached, or its tokens did not pass this gateway\'s token checks',
  503: 'The session store (Redis) is not answering (see Retry-After)',
};

/**
 * Browser sessions (CONTRACT §8), present only with SESSIONS=on. Every answer is `no-store`:
 * none of them may be kept by a cache, shared or not.
 */
@ApiTags('sessions')
@Controller('auth')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get('login')
  @Public({ rateLimitedByAddress: true })
  @ApiOperation({ summary: "Sign in through Frontegg's hosted login (a browser navigation, not a fetch)" })
  @ApiFoundResponse({ description: 'To the hosted login (authorization code flow with PKCE S256, state and nonce)', headers: { Location: { schema: { type: 'string', format: 'uri' } } } })
  @ApiProblems({ 400: 'returnTo is not a relative path on this site', 429: 'Too many requests from this address (see Retry-After)', ...SIGN_IN_PROBLEMS })
  async login(@Query() query: LoginQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const location = await this.sessions.beginLogin(query.returnTo, reply);
    await reply.header('cache-control', 'no-store').redirect(location, HttpStatus.FOUND);
  }

  @Get('callback')
  @Public({ rateLimitedByAddress: true })
  @ApiOperation({ summary: 'Where the hosted login sends the browser back: creates the session and sets its cookie' })
  @ApiFoundResponse({ description: 'To the returnTo path given to /auth/login (default /), with the session cookie set', headers: { Location: { schema: { type: 'string' } }, 'Set-Cookie': { schema: { type: 'string' } } } })
  @ApiProblems({ 400: 'Unknown, replayed or expired state, a state this browser did not start, or a code the provider refused: nothing was created', 429: 'Too many requests from this address (see Retry-After)', ...SIGN_IN_PROBLEMS })
  async callback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const location = await this.sessions.completeLogin(request, reply);
    await reply.header('cache-control', 'no-store').redirect(location, HttpStatus.FOUND);
  }

  @Get('session')
  @Authorize(Policies.ownSession)
  @ApiOperation({ summary: 'The signed-in user of this browser session (never a token)' })
  @ApiOkResponse({ type: SessionDto })
  @ApiProblems({ 503: 'The session store (Redis) is not answering, or the session is being refreshed elsewhere (see Retry-After)', 502: 'The hosted login failed while the session had to be refreshed' })
  describe(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): SessionDto {
    reply.header('cache-control', 'no-store');
    const { record } = request.session!;
    const principal = request.principal!;
    return {
      userId: principal.userId,
      tenantId: principal.tenantId,
      email: record.email ?? principal.email ?? null,
      name: record.name ?? null,
      expiresAt: this.sessions.expiresAt(record).toISOString(),
    };
  }

  @Post('logout')
  @HttpCode(HttpStatus.OK)
  @Public({ rateLimitedByAddress: true })
  @ApiSecurity(sessionRequirement())
  @ApiDenials(['csrf'])
  @ApiOperation({
    summary: 'Sign out: ends the session on every instance and clears the cookie',
    description: 'Answers 200 also without a live session (the cookie is cleared all the same), so that the browser can still end the Frontegg session at logoutUrl.',
  })
  @ApiOkResponse({ type: LogoutDto })
  @ApiProblems({
    415: 'A body that is not application/json (a form any site can post, for one): refused before the session is read, which stays as it was',
    429: 'Too many requests from this address (see Retry-After)',
    503: 'The session store (Redis) is not answering: the session was not ended (see Retry-After)',
  })
  async logout(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<LogoutDto> {
    reply.header('cache-control', 'no-store');
    return { logoutUrl: await this.sessions.logout(request, reply) };
  }
}
