/**
 * Where a gateway scenario's extra CPU time per request goes, against its framework ceiling
 * (D against G, B against F): every sample of each .cpuprofile is given to the innermost frame on
 * its stack that belongs to something the gateway chose (a gateway file, or a library it calls:
 * axios, class-validator, pino...), else to the shared machinery it ran in (undici, fastify,
 * Nest's router, the socket), then each category's time is divided by the requests answered.
 * The difference of the two, category by category, is what the gateway's own code costs.
 * Usage: node bench/dist/bench/profile-diff.js <gateway.cpuprofile> <requests> <fromMs> <toMs> <ceiling.cpuprofile> <requests> <fromMs> <toMs>
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Libraries and files whose time is the gateway's choice, by the part of the URL that names them. */
const CHOSEN: [RegExp, string][] = [
  [/node_modules\/axios\//, 'axios'],
  [/node_modules\/@nestjs\/axios\//, 'axios'],
  [/node_modules\/class-validator\//, 'validation (class-validator)'],
  [/node_modules\/class-transformer\//, 'validation (class-transformer)'],
  [/node_modules\/(pino|sonic-boom|fast-redact|quick-format-unescaped|pino-std-serializers)\//, 'logging (pino, sonic-boom)'],
  [/node_modules\/prom-client\//, 'metrics (prom-client)'],
  [/node_modules\/cockatiel\//, 'breaker and retry (cockatiel)'],
  [/node_modules\/(keyv|cache-manager|@keyv)\//, 'cache (cache-manager, keyv)'],
  [/node_modules\/lru-cache\//, 'lru-cache'],
  [/node_modules\/jose\//, 'token verification (jose)'],
  [/node_modules\/(helmet)\//, 'helmet'],
  [/node_modules\/@nestjs\/throttler\//, 'rate limit'],
  [/node_modules\/(ajv|secure-json-parse)\//, 'JSON body parser'],
  [/node_modules\/@nestjs\/common\/pipes\//, 'validation (Nest ValidationPipe)'],
];

function gatewayFile(url: string): string | undefined {
  for (const marker of ['/bench/dist/gateway/', '/dist/']) {
    const at = url.indexOf(marker);
    if (at >= 0 && !url.includes('node_modules') && !(marker === '/dist/' && url.includes('/bench/dist/'))) return url.slice(at + marker.length);
  }
  return undefined;
}

const PSEUDO = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

function shared(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(program)') return '(program)';
  if (functionName === '(idle)') return '(idle)';
  if (url.includes('/bench/dist/bench/servers/')) return 'ceiling app code';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 13).split('/');
    const name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    return `shared: ${name}`;
  }
  if (url.startsWith('node:')) return `shared: node:${url.slice(5).replace(/^internal\//, '').split('/')[0]}`;
  return 'shared: native';
}

export interface Attribution {
  perRequestUs: number;
  categories: Map<string, { us: number; sites: Map<string, number> }>;
}

export function attribute(profile: CpuProfile, requests: number, fromMs: number, toMs: number): Attribution {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, { category: string; site: string }>();
  // A sample goes to the innermost frame that is neither native nor Node's own (a socket's writev
  // counts for whoever wrote: undici's request, fastify's answer, the access log's stream).
  const classify = (id: number): { category: string; site: string } => {
    const known = memo.get(id);
    if (known) return known;
    let result: { category: string; site: string } | undefined;
    const leaf = byId.get(id)!;
    if (PSEUDO.has(leaf.callFrame.functionName)) result = { category: shared(leaf), site: leaf.callFrame.functionName };
    for (let cursor: number | undefined = id; cursor !== undefined && !result; cursor = parent.get(cursor)) {
      const node = byId.get(cursor)!;
      const { url, lineNumber, functionName } = node.callFrame;
      if (url === '' || url.startsWith('node:')) continue;
      const file = gatewayFile(url);
      if (file !== undefined) result = { category: `gateway: ${file.replace(/\.js$/, '')}`, site: `${file}:${lineNumber + 1} ${functionName}` };
      for (const [pattern, name] of CHOSEN) {
        if (!result && pattern.test(url)) result = { category: name, site: `${url.slice(url.lastIndexOf('node_modules/') + 13)}:${lineNumber + 1} ${functionName}` };
      }
      result ??= { category: shared(node), site: `${url.slice(url.lastIndexOf('node_modules/') + 13)}:${lineNumber + 1} ${functionName}` };
    }
    // Only Node's own frames on the stack (timers, microtasks): Node's, by the innermost of them.
    if (!result) {
      let inner = leaf;
      for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) {
        if (byId.get(cursor)!.callFrame.url.startsWith('node:')) {
          inner = byId.get(cursor)!;
          break;
        }
      }
      result = { category: shared(inner), site: `${inner.callFrame.url || 'native'}:${inner.callFrame.lineNumber + 1} ${inner.callFrame.functionName}` };
    }
    memo.set(id, result);
    return result;
  };
  const categories: Attribution['categories'] = new Map();
  let at = 0;
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < fromMs * 1000 || at > toMs * 1000) continue;
    const us = profile.timeDeltas[i + 1] ?? 0;
    const { category, site } = classify(profile.samples[i]);
    if (category === '(idle)') continue;
    busy += us;
    const entry = categories.get(category) ?? { us: 0, sites: new Map() };
    entry.us += us / requests;
    entry.sites.set(site, (entry.sites.get(site) ?? 0) + us / requests);
    categories.set(category, entry);
  }
  return { perRequestUs: busy / requests, categories };
}

export function formatDiff(title: string, gateway: Attribution, ceiling: Attribution, sites = 3): string {
  const gap = gateway.perRequestUs - ceiling.perRequestUs;
  const names = new Set([...gateway.categories.keys(), ...ceiling.categories.keys()]);
  const rows = [...names]
    .map((name) => ({ name, g: gateway.categories.get(name)?.us ?? 0, c: ceiling.categories.get(name)?.us ?? 0 }))
    .map((r) => ({ ...r, d: r.g - r.c }))
    .sort((a, b) => b.d - a.d);
  const lines = [`== ${title}: ${gateway.perRequestUs.toFixed(0)} µs CPU/request (profiled) against ${ceiling.perRequestUs.toFixed(0)}: ${gap.toFixed(0)} µs more`];
  lines.push('  share   µs more  gateway  ceiling  category; top sites in the gateway (µs/request)');
  for (const r of rows) {
    if (Math.abs(r.d) < gap * 0.005) continue;
    const top = [...(gateway.categories.get(r.name)?.sites ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1]).slice(0, sites);
    lines.push(
      `  ${((r.d / gap) * 100).toFixed(1).padStart(5)} %  ${r.d.toFixed(1).padStart(7)}  ${r.g.toFixed(1).padStart(7)}  ${r.c.toFixed(1).padStart(7)}  ${r.name}; ${top.map(([s, us]) => `${s} ${us.toFixed(1)}`).join(' | ')}`,
    );
  }
  return lines.join('\n');
}

if (require.main === module) {
  const [gFile, gReq, gFrom, gTo, cFile, cReq, cFrom, cTo] = process.argv.slice(2);
  if (!cTo) {
    console.error('usage: node bench/dist/bench/profile-diff.js <gateway.cpuprofile> <requests> <fromMs> <toMs> <ceiling.cpuprofile> <requests> <fromMs> <toMs>');
    process.exit(2);
  }
  const load = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as CpuProfile;
  console.log(formatDiff(`${gFile} against ${cFile}`, attribute(load(gFile), +gReq, +gFrom, +gTo), attribute(load(cFile), +cReq, +cFrom, +cTo), Number(process.env.SITES ?? 3)));
}
