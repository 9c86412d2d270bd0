/**
 * Where the time goes in a V8 .cpuprofile (written by `node --cpu-prof`): the top functions by
 * self time, self time per package, and the share of busy time each package is on the stack for
 * (inclusive). Native frames (a socket's writev, a hash) count for the package that called them.
 * A window (milliseconds from the start of the profile) leaves start-up and warm-up out.
 * Usage: node bench/dist/bench/profile-summary.js <file.cpuprofile> [top=25] [fromMs] [toMs]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const PSEUDO = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);
/** Frames at the root of every asynchronous continuation: on every stack, so they say nothing. */
const ASYNC_ROOTS = new Set(['node:process', 'node:main', 'node:timers']);

/** The package a frame belongs to: an npm package, a Node.js built-in, the gateway itself, or a V8 pseudo-frame. */
export function packageOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (PSEUDO.has(functionName)) return functionName;
  if (url === '') return '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) {
    const name = url.slice('node:'.length).replace(/^internal\//, '');
    return `node:${name.split('/')[0].replace(/\.js$/, '')}`;
  }
  const gateway = gatewayPath(url);
  if (gateway !== undefined) return `gateway:${gateway.split('/')[0].replace(/\.js$/, '')}`;
  if (url.includes('/bench/dist/')) return 'bench';
  return url.replace(/^file:\/\//, '');
}

/** The path inside the built gateway (dist/, or the benchmark's copy of it in bench/dist/gateway/). */
function gatewayPath(url: string): string | undefined {
  const copy = url.indexOf('/bench/dist/gateway/');
  if (copy >= 0) return url.slice(copy + '/bench/dist/gateway/'.length);
  if (url.includes('/bench/dist/')) return undefined;
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + '/dist/'.length) : undefined;
}

function where(node: ProfileNode): string {
  const { url, lineNumber } = node.callFrame;
  if (url === '') return '';
  const modules = url.lastIndexOf('node_modules/');
  const gateway = gatewayPath(url);
  const short = modules >= 0 ? url.slice(modules + 'node_modules/'.length) : gateway !== undefined ? `dist/${gateway}` : url;
  return `${short.replace(/^file:\/\//, '')}:${lineNumber + 1}`;
}

export interface Summary {
  totalMs: number;
  busyMs: number;
  topFunctions: Array<{ name: string; where: string; pkg: string; selfMs: number; pct: number }>;
  selfByPackage: Array<{ pkg: string; selfMs: number; pct: number }>;
  onStackByPackage: Array<{ pkg: string; ms: number; pct: number }>;
}

export interface Window {
  fromMs?: number;
  toMs?: number;
}

export function summarise(profile: CpuProfile, top = 25, window: Window = {}): Summary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // A native frame counts for the nearest JavaScript frame that called it.
  const pkgCache = new Map<number, string>();
  const pkg = (id: number): string => {
    let cached = pkgCache.get(id);
    if (cached === undefined) {
      const name = packageOf(byId.get(id)!);
      const caller = parent.get(id);
      cached = name === '(native)' && caller !== undefined && packageOf(byId.get(caller)!) !== '(root)' ? pkg(caller) : name;
      pkgCache.set(id, cached);
    }
    return cached;
  };

  // Sample i lasts until the next one: timeDeltas[i + 1] belongs to samples[i].
  const selfUs = new Map<number, number>();
  const fromUs = (window.fromMs ?? 0) * 1000;
  const toUs = (window.toMs ?? Infinity) * 1000;
  let atUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    atUs += profile.timeDeltas[i] ?? 0;
    if (atUs < fromUs || atUs > toUs) continue;
    const us = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + us);
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  let idleUs = 0;
  const pkgSelf = new Map<string, number>();
  const pkgOnStack = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const own = pkg(id);
    if (own === '(idle)') idleUs += us;
    pkgSelf.set(own, (pkgSelf.get(own) ?? 0) + us);
    const seen = new Set<string>();
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) seen.add(pkg(cursor));
    for (const name of seen) pkgOnStack.set(name, (pkgOnStack.get(name) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const pct = (us: number) => (busyUs > 0 ? (us / busyUs) * 100 : 0);

  // Functions are merged across call sites (one row per function, not per stack).
  const fnSelf = new Map<string, { node: ProfileNode; pkg: string; us: number }>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const own = pkg(id);
    if (own === '(idle)') continue;
    const key = `${node.callFrame.functionName}@${node.callFrame.url}:${node.callFrame.lineNumber}:${node.callFrame.columnNumber}@${own}`;
    const entry = fnSelf.get(key) ?? { node, pkg: own, us: 0 };
    entry.us += us;
    fnSelf.set(key, entry);
  }
  return {
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    topFunctions: [...fnSelf.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map(({ node, pkg: own, us }) => ({ name: node.callFrame.functionName || '(anonymous)', where: where(node) || 'native', pkg: own, selfMs: us / 1000, pct: pct(us) })),
    selfByPackage: [...pkgSelf.entries()]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ pkg: name, selfMs: us / 1000, pct: pct(us) })),
    onStackByPackage: [...pkgOnStack.entries()]
      .filter(([name]) => !PSEUDO.has(name) && !ASYNC_ROOTS.has(name))
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ pkg: name, ms: us / 1000, pct: pct(us) })),
  };
}

export function formatSummary(title: string, s: Summary, packages = 20): string {
  const lines = [`== ${title}: ${(s.totalMs / 1000).toFixed(1)} s profiled, ${(s.busyMs / 1000).toFixed(1)} s busy (${((s.busyMs / s.totalMs) * 100).toFixed(0)} %); percentages are of busy time`];
  lines.push(`Top ${s.topFunctions.length} functions by self time:`);
  for (const f of s.topFunctions) {
    lines.push(`  ${f.pct.toFixed(1).padStart(5)} %  ${f.selfMs.toFixed(0).padStart(6)} ms  ${f.name.slice(0, 40).padEnd(40)} ${f.pkg.padEnd(24)} ${f.where}`);
  }
  lines.push('Self time by package:');
  for (const p of s.selfByPackage.slice(0, packages)) lines.push(`  ${p.pct.toFixed(1).padStart(5)} %  ${p.pkg}`);
  lines.push('On the stack (inclusive), by package:');
  for (const p of s.onStackByPackage.slice(0, packages)) lines.push(`  ${p.pct.toFixed(1).padStart(5)} %  ${p.pkg}`);
  return lines.join('\n');
}

export function summariseFile(path: string, top = 25, window: Window = {}): Summary {
  return summarise(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, top, window);
}

if (require.main === module) {
  const [path, top, fromMs, toMs] = process.argv.slice(2);
  if (!path) {
    console.error('usage: node bench/dist/bench/profile-summary.js <file.cpuprofile> [top] [fromMs] [toMs]');
    process.exit(2);
  }
  const window = { fromMs: fromMs ? Number(fromMs) : undefined, toMs: toMs ? Number(toMs) : undefined };
  console.log(formatSummary(path, summariseFile(path, Number(top ?? 25), window)));
}
