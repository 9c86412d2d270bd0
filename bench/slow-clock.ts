/**
 * Preload for a server measured under callgrind (bench/instructions.ts): its clock runs BENCH_CLOCK_SLOWDOWN times
 * slower, as the server itself does under valgrind, so that work driven by the clock falls on as many requests as at
 * full speed. Without it, a 60 s lifetime (a verified token, a cache entry, a rate-limit window) ends every few
 * thousand requests instead of every few hundred thousand, and a window that holds one such ending counts a thousand
 * signature checks the other does not (seen: 108 M instructions of RSA in one window of 2,000 requests, none in the
 * other).
 *
 * Slowed: `Date.now()` and `performance.now()` (what the gateway and its libraries read elapsed time from), and the
 * delays of `setTimeout` and `setInterval` (periodic flushes, polling, sweeps). `new Date()` keeps real time: token
 * expiry is checked against it, and the bench's tokens outlive any run.
 */
import { performance } from 'node:perf_hooks';

const factor = Number(process.env.BENCH_CLOCK_SLOWDOWN ?? 1);
if (!(factor >= 1)) throw new Error(`BENCH_CLOCK_SLOWDOWN must be a number of at least 1, not ${process.env.BENCH_CLOCK_SLOWDOWN}`);

const realDateNow = Date.now.bind(Date);
const realPerformanceNow = performance.now.bind(performance);
const startedAt = realDateNow();
const startedAtMs = realPerformanceNow();
Date.now = () => startedAt + Math.floor((realDateNow() - startedAt) / factor);
performance.now = () => startedAtMs + (realPerformanceNow() - startedAtMs) / factor;

type Timer = (callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => unknown;
const slowed = (timer: Timer): Timer => (callback, delay, ...args) => timer(callback, delay === undefined ? delay : delay * factor, ...args);
globalThis.setTimeout = Object.assign(slowed(setTimeout as unknown as Timer), setTimeout) as unknown as typeof setTimeout;
globalThis.setInterval = Object.assign(slowed(setInterval as unknown as Timer), setInterval) as unknown as typeof setInterval;
