/**
 * Preload (with `--expose-gc`) for a measured server: SIGWINCH runs one full garbage collection. The benches send it
 * between warm-up slices so that every configuration is measured as it runs after hours of traffic, not in its first
 * minute.
 *
 * Why: Node's own stream and nextTick code gets ~38,000 instructions per request more expensive after a few full
 * collections (V8 then defines those objects' symbol-keyed fields through its runtime: seen in callgrind as
 * `Runtime_DefineKeyedOwnPropertyInLiteral` and `JSObject::MigrateToMap`, 27 calls per request), and stays so.
 * A short run of a cached read makes few full collections; a gateway that loads an entitlements snapshot at start makes
 * several more, so comparing the two measured the collections, not entitlements (B: 340,000 instructions per
 * request; B with twelve forced collections: 384,000; B with ENTITLEMENTS=on and none forced: 378,000).
 */
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('steady-state.js needs node --expose-gc');
process.on('SIGWINCH', () => collect());
