/**
 * Local mode (CONTRACT §7): with no Frontegg credentials outside production, `npm start` runs the
 * project's identity emulator in-process and points the gateway at it. This is the only gateway
 * file that may load the emulator, and it does so lazily so production never loads it.
 */
export interface LocalUpstream {
  /** Variables that point the gateway at the emulator. */
  environment: Record<string, string>;
  /** The emulator's password-grant token endpoint, for the docs page's sign-in (createGatewayApp's option). */
  docsSignInTokenUrl: string;
  /** What to print so a developer can get a token and call the gateway. */
  instructions(gatewayUrl: string): string;
  close(): Promise<void>;
}

export async function startLocalUpstream(env: NodeJS.ProcessEnv): Promise<LocalUpstream> {
  const { startEmulator } = await import('./emulator');
  const { emulatorOptionsFromEnv } = await import('./emulator/env');
  const port = env.EMULATOR_PORT ? Number(env.EMULATOR_PORT) : 3001;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('EMULATOR_PORT must be an integer from 0 to 65535');
  // The emulator's own EMULATOR_* settings apply here too (a short hosted-login token lifetime, a client secret).
  const { options, problems } = emulatorOptionsFromEnv({ ...env, EMULATOR_PORT: undefined, EMULATOR_HOST: undefined });
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const emulator = await startEmulator({ ...options, port, host: '127.0.0.1' });
  const [firstUser] = emulator.users;
  const gatewayPort = env.PORT?.trim() || '3000';
  // Browser sessions are on by default here (CONTRACT §8), against the emulator's hosted login.
  const publicUrl = env.PUBLIC_URL?.trim() || `http://127.0.0.1:${gatewayPort}`;
  return {
    environment: {
      ...emulator.gatewayEnvironment,
      SESSIONS: env.SESSIONS?.trim() || 'on',
      // Plans and features take part in authorization, from the emulator's seeded snapshot (CONTRACT §1, §7).
      ENTITLEMENTS: env.ENTITLEMENTS?.trim() || 'on',
      // Readable lines for a person at a terminal; JSON when the output goes to a program (a pipe, a file, a test).
      LOG_FORMAT: env.LOG_FORMAT?.trim() || (process.stdout.isTTY ? 'pretty' : 'json'),
      PUBLIC_URL: publicUrl,
      ...(options.oauthClientSecret ? { FRONTEGG_OAUTH_CLIENT_SECRET: options.oauthClientSecret } : {}),
    },
    docsSignInTokenUrl: emulator.passwordGrantTokenUrl,
    instructions: (gatewayUrl) =>
      [
        '',
        `Local mode: the gateway at ${gatewayUrl} uses the identity emulator at ${emulator.url}.`,
        'Seeded users (development passwords):',
        ...emulator.users.map((user) => `  ${user.email.padEnd(20)} ${user.password}  ${user.roles}`),
        '',
        'Get a token and call the gateway:',
        `  TOKEN=$(curl -s ${emulator.url}/identity/resources/auth/v1/user -H 'content-type: application/json' \\`,
        `    -d '{"email":"${firstUser.email}","password":"${firstUser.password}"}' | sed -E 's/.*"accessToken":"([^"]+)".*/\\1/')`,
        `  curl -s ${gatewayUrl}/v1/me -H "authorization: Bearer $TOKEN"`,
        '',
        `API docs: ${gatewayUrl}/docs (Authorize, then localSignIn with a seeded user's email and password)`,
        `Browser sessions: on, signing in at ${publicUrl}/auth/login; try them with examples/browser-session (docs/browser-sessions.md, "Try it locally")`,
        '',
      ].join('\n'),
    close: () => emulator.close(),
  };
}
