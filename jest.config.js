// Some dependencies ship ESM only (jose 6, openid-client 6 and its oauth4webapi; content-disposition, under @fastify/static;
// marked and github-slugger, which test/docs.e2e-spec.ts reads the Markdown with). Node 20.19
// loads them from CommonJS, but Jest's module loader cannot: SWC transforms them, and our TypeScript.
const ESM_ONLY = ['jose', 'content-disposition', 'openid-client', 'oauth4webapi', 'marked', 'github-slugger'];
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['reflect-metadata'],
};

module.exports = {
  // Two workers on two cores: the end-to-end suites mostly wait on the gateways, emulators and browsers they start,
  // so two run side by side in about half the time of one (315 s → 169 s measured for 113 suites). Each suite that
  // shares Redis claims a database of its own (test/support/redis-database.ts), so side by side they share no state.
  maxWorkers: 2,
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/src'], testMatch: ['**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      // Every answer of the gateway is checked against openapi/gateway.json (test/support/openapi-conformance.ts).
      setupFilesAfterEnv: ['<rootDir>/test/support/openapi-conformance.setup.ts'],
    },
  ],
  globalSetup: '<rootDir>/test/support/openapi-conformance.global-setup.ts',
  globalTeardown: '<rootDir>/test/support/openapi-conformance.global-teardown.ts',
};
