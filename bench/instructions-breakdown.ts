/**
 * Where a callgrind window's instructions go (issue 23): a dump kept by `npm run bench -- --instructions`
 * (BENCH_INSTRUCTIONS_KEEP=folder), with V8's map of its machine code (BENCH_INSTRUCTIONS_NODE_FLAGS with
 * `--perf-basic-prof`: /tmp/perf-<pid>.map) to name the JavaScript.
 *
 *   node bench/dist/bench/instructions-breakdown.js <dump> <perf map> [requests=1000] [top=25]
 *
 * Prints, per request:
 * - every instruction by layer, each function's own instructions (not those of what it calls) counted once: garbage
 *   collection, compiling, JSON, V8's runtime, its builtins, OpenSSL, llhttp, Node's C++, libc, and the JavaScript of
 *   each package (Node's own, fastify, @nestjs/core, the gateway, ...);
 * - the gateway's own functions with what they call (inclusive): a synchronous function's whole cost, an async one's
 *   up to its first await;
 * - the functions that cost most themselves.
 */
import { readFileSync } from 'node:fs';
import { callgrindCosts } from './callgrind-dump';

interface Code {
  start: number;
  end: number;
  name: string;
}

/** V8's perf map: `start size name` per line, hexadecimal. */
function readPerfMap(file: string): Code[] {
  const codes: Code[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [start, size, ...name] = line.split(' ');
    if (name.length === 0) continue;
    codes.push({ start: parseInt(start, 16), end: parseInt(start, 16) + parseInt(size, 16), name: name.join(' ') });
  }
  return codes.sort((a, b) => a.start - b.start);
}

function nameOf(codes: Code[], fn: string): string {
  if (!fn.startsWith('0x')) return fn;
  const address = parseInt(fn.split("'")[0], 16);
  let low = 0;
  let high = codes.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (codes[middle].start <= address) low = middle + 1;
    else high = middle - 1;
  }
  const code = codes[high];
  return code && address < code.end ? code.name : 'JIT code not in the map';
}

const LAYERS: [string, RegExp][] = [
  ['garbage collection', /^(v8::internal::(Heap|Scavenge|MarkCompact|Marking|MinorMarkCompact|IncrementalMarking|ConcurrentMarking|Sweeper|MemoryAllocator|MemoryChunk|RememberedSet|SlotSet|Evacuat|.*Visitor|BodyDescriptor|PagedSpace|NewSpace|SemiSpace|LocalHeap|GlobalHandles|StringTable::.*Dead|MainMarking|WeakObjects|.*Collector)|heap::base::|cppgc::)/],
  ['compiling', /^v8::internal::(compiler|maglev|baseline|interpreter::Bytecode|Parser|Scanner|Compiler|Zone|.*Compilation)/],
  ['JSON.parse', /JsonParse/],
  ['JSON.stringify', /JsonStringif|Builtins_JsonStringify/],
  ['OpenSSL (the token digest; counted without the CPU\'s SHA extensions)', /^(sha256|sha512|EVP_|OPENSSL_|CRYPTO_|ossl_)/],
  ['llhttp (Node\'s HTTP parser)', /^llhttp/],
  ['V8 runtime: property lookups, inline-cache misses, map transitions', /^(v8::internal::|v8::|Builtins_CEntry|Runtime_)/],
  ['V8 builtins: promises, property access, strings, arrays', /^Builtin(s_|:)/],
  ['Node.js C++ (streams, timers, buffers)', /^(node::|uv_|uv__)/],
  ['libc and the system-call wrappers', /^(__|mem|str|malloc|free|calloc|realloc|_int_|epoll|write|read|clock|pthread|syscall)/],
  ['JavaScript regular expressions', /^RegExp:/],
  ['WebAssembly (undici\'s llhttp)', /^(JS:)?(wasm|Wasm)/],
];

/** The package whose JavaScript a perf-map name belongs to. */
function javaScriptPackage(name: string): string | undefined {
  const match = /^JS:[*~^+-]?\S* (\S+?)(?::\d+:\d+)?$/.exec(name) ?? /^JS:[*~^+-]?(.*)$/.exec(name);
  if (!match) return undefined;
  const url = match[1] ?? '';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return `JS ${parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  if (url.startsWith('node:')) return `JS node:${url.slice(5).replace(/^internal\//, '').split('/')[0].replace(/\.js$/, '')}`;
  if (url.includes('/gateway/')) return `JS the gateway (${url.slice(url.indexOf('/gateway/') + 9).split('/')[0].replace(/\.js$/, '')})`;
  if (url.includes('/bench/')) return 'JS the bench server';
  return 'JS other';
}

function layerOf(name: string): string {
  return javaScriptPackage(name) ?? LAYERS.find(([, pattern]) => pattern.test(name))?.[0] ?? 'other (JIT code not in the map, ...)';
}

function main(): void {
  const [dump, perfMap, requestsArgument, topArgument] = process.argv.slice(2);
  if (!dump || !perfMap) throw new Error('usage: instructions-breakdown.js <callgrind dump> <perf map> [requests=1000] [top=25]');
  const requests = Number(requestsArgument ?? 1000);
  const top = Number(topArgument ?? 25);
  const codes = readPerfMap(perfMap);
  const { total = 0, own, inclusive } = callgrindCosts(readFileSync(dump, 'utf8'), (fn) => nameOf(codes, fn));
  const perRequest = (cost: number) => Math.round(cost / requests).toLocaleString('en').padStart(9);
  const share = (cost: number) => `${((cost / total) * 100).toFixed(1).padStart(5)} %`;

  const layers = new Map<string, number>();
  for (const [name, cost] of own) layers.set(layerOf(name), (layers.get(layerOf(name)) ?? 0) + cost);
  console.log(`${perRequest(total)} instructions per request in all\n\nBy layer (each function's own instructions):`);
  for (const [layer, cost] of [...layers].sort((a, b) => b[1] - a[1])) console.log(`${perRequest(cost)} ${share(cost)}  ${layer}`);

  console.log('\nThe gateway\'s functions, with what they call (synchronously):');
  const gateway = [...inclusive].filter(([name]) => /^JS:.*\/gateway\//.test(name)).sort((a, b) => b[1] - a[1]);
  for (const [name, cost] of gateway.slice(0, top)) console.log(`${perRequest(cost)} ${share(cost)}  ${name.replace(/^JS:[*~^+-]?/, '').replace(/ \S*\/gateway\//, ' ')}`);

  console.log('\nThe functions that cost most themselves:');
  for (const [name, cost] of [...own].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${perRequest(cost)} ${share(cost)}  ${name.slice(0, 140)}`);
}

main();
