/**
 * Load generators. Throughput runs use autocannon; every response's latency is also recorded here
 * at microsecond resolution (autocannon's own histogram counts whole milliseconds, too coarse for
 * a 1 ms target). The fixed-rate runs additionally use a paced generator that spreads requests
 * evenly in time, and the cold start uses one burst of simultaneous first requests.
 */
import autocannon from 'autocannon';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface HttpRequestSpec {
  method: 'GET' | 'PUT' | 'PATCH' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LatencyStats {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

export interface LoadResult {
  durationS: number;
  /** 2xx answers. */
  ok: number;
  /** 2xx answers per second. */
  rps: number;
  /** Milliseconds, over every answer. */
  latency: LatencyStats;
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

export interface LoadOptions {
  connections: number;
  durationS: number;
  /** autocannon rate mode: requests per second over all connections. */
  overallRate?: number;
}

/** A load's result with every latency it recorded, so that several loads can be merged. */
export interface SampledLoadResult extends LoadResult {
  samples: number[];
}

/** Several loads of one scenario as one: counts added up, latencies over every sample. */
export function mergeLoads(parts: SampledLoadResult[]): SampledLoadResult {
  const samples = parts.flatMap((part) => part.samples);
  const durationS = parts.reduce((sum, part) => sum + part.durationS, 0);
  const ok = parts.reduce((sum, part) => sum + part.ok, 0);
  const statusCodes: Record<string, number> = {};
  for (const part of parts) for (const [code, n] of Object.entries(part.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  return {
    durationS,
    ok,
    rps: durationS > 0 ? ok / durationS : 0,
    latency: latencyStats(samples),
    errors: parts.reduce((sum, part) => sum + part.errors, 0),
    non2xx: parts.reduce((sum, part) => sum + part.non2xx, 0),
    statusCodes,
    samples,
  };
}

export function latencyStats(samples: number[]): LatencyStats {
  if (samples.length === 0) return { p50: NaN, p90: NaN, p99: NaN, mean: NaN, max: NaN };
  const sorted = Float64Array.from(samples).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { p50: at(50), p90: at(90), p99: at(99), mean: samples.reduce((a, b) => a + b, 0) / samples.length, max: sorted[sorted.length - 1] };
}

/**
 * autocannon against `baseUrl` with `requests` (for instance one per user token) dealt out to the
 * connections: each connection cycles through its own share, so concurrent requests carry
 * different tokens and every request is used. (A share each, not the whole list each: autocannon
 * encodes every request of a connection up front, and 50 x 1000 encodings would block the event
 * loop for half a second while the first requests are already timed.)
 */
export function loadTest(baseUrl: string, requests: HttpRequestSpec[], options: LoadOptions): Promise<SampledLoadResult> {
  const all: autocannon.Request[] = requests.map(({ method, path, headers, body }) => ({ method, path, headers, body }));
  const share = Math.max(1, Math.floor(all.length / options.connections));
  let nextClient = 0;
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: baseUrl,
        connections: options.connections,
        duration: options.durationS,
        overallRate: options.overallRate,
        requests: [all[0]],
        setupClient: (client) => {
          const first = (nextClient++ * share) % all.length;
          client.setRequests(Array.from({ length: share }, (_, i) => ({ ...all[(first + i) % all.length] })));
        },
      },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const ok = result['2xx'];
        resolve({
          durationS: result.duration,
          ok,
          rps: ok / result.duration,
          latency: latencyStats(latencies),
          errors: result.errors + result.timeouts,
          non2xx: result.non2xx,
          statusCodes,
          samples: latencies,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    });
  });
}

/**
 * An open-loop generator at a fixed rate: request k leaves at start + k / rate, whatever the
 * answers before it, over a keep-alive pool of `connections` sockets. Unlike autocannon's rate
 * mode (each connection sends its per-second quota back-to-back at every second boundary), the
 * server sees an even arrival rate, so latency is that of a server at that load, not of a burst.
 * The first `warmupS` seconds open the sockets and are not recorded.
 */
export function pacedLoad(baseUrl: string, requests: HttpRequestSpec[], options: { rate: number; durationS: number; connections: number; warmupS: number }): Promise<LoadResult> {
  const target = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let inFlight = 0;
  const start = performance.now();
  const recordFrom = start + options.warmupS * 1000;
  const end = recordFrom + options.durationS * 1000;

  return new Promise((resolve) => {
    let sent = 0;
    let finished = false;
    const fire = (spec: HttpRequestSpec) => {
      const sentAt = performance.now();
      const recorded = sentAt >= recordFrom;
      inFlight++;
      const done = (status?: number) => {
        inFlight--;
        if (recorded) {
          if (status === undefined) errors++;
          else {
            latencies.push(performance.now() - sentAt);
            statusCodes[status] = (statusCodes[status] ?? 0) + 1;
          }
        }
        if (finished && inFlight === 0) complete();
      };
      const req = request(
        { host: target.hostname, port: target.port, method: spec.method, path: spec.path, headers: spec.headers, agent },
        (res) => {
          res.on('end', () => done(res.statusCode));
          res.resume();
        },
      );
      req.on('error', () => done());
      req.setTimeout(10_000, () => req.destroy());
      req.end(spec.body);
    };
    const complete = () => {
      agent.destroy();
      const ok = Object.entries(statusCodes).filter(([code]) => code.startsWith('2')).reduce((sum, [, n]) => sum + n, 0);
      resolve({
        durationS: options.durationS,
        ok,
        rps: ok / options.durationS,
        latency: latencyStats(latencies),
        errors,
        non2xx: latencies.length - ok,
        statusCodes,
      });
    };
    const timer = setInterval(() => {
      const now = performance.now();
      const due = Math.floor(((Math.min(now, end) - start) * options.rate) / 1000);
      while (sent < due) fire(requests[sent++ % requests.length]);
      if (now >= end) {
        clearInterval(timer);
        finished = true;
        if (inFlight === 0) complete();
      }
    }, 1);
  });
}

export interface BurstResult {
  statusCodes: Record<string, number>;
  errors: number;
  latency: LatencyStats;
  wallMs: number;
}

/** Every request at once, each on its own new connection: the first requests a new server sees. */
export function burst(baseUrl: string, requests: HttpRequestSpec[]): Promise<BurstResult> {
  const target = new URL(baseUrl);
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const start = performance.now();
  const one = (spec: HttpRequestSpec) =>
    new Promise<{ status?: number; ms: number }>((resolve) => {
      const req = request({ host: target.hostname, port: target.port, method: spec.method, path: spec.path, headers: spec.headers, agent }, (res) => {
        res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - start }));
        res.resume();
      });
      req.on('error', () => resolve({ ms: performance.now() - start }));
      req.setTimeout(30_000, () => req.destroy());
      req.end(spec.body);
    });
  return Promise.all(requests.map(one)).then((answers) => {
    agent.destroy();
    const statusCodes: Record<string, number> = {};
    for (const { status } of answers) if (status !== undefined) statusCodes[status] = (statusCodes[status] ?? 0) + 1;
    return {
      statusCodes,
      errors: answers.filter((a) => a.status === undefined).length,
      latency: latencyStats(answers.map((a) => a.ms)),
      wallMs: performance.now() - start,
    };
  });
}
