import Redis from 'ioredis';
import { releaseRedisLock, takeRedisLock } from '../../src/redis/redis-lock';

const REDIS = 'redis://127.0.0.1:6379';
/** Databases 1-15 are handed out here; database 0 holds the claims (and is flushed by nobody). */
const DATABASES = Array.from({ length: 15 }, (_, index) => index + 1);
/** A claim outlives any suite; one left by a killed run frees itself. */
const CLAIM_TTL_MS = 900_000;
const WAIT_FOR_A_DATABASE_MS = 120_000;

export interface ClaimedRedisDatabase {
  /** `redis://127.0.0.1:6379/<n>`, for the gateways' REDIS_URL. */
  url: string;
  /** A connection to it, for the test's own reads and writes. */
  redis: Redis;
  /** Empties it and gives it back. */
  release(): Promise<void>;
}

/**
 * A Redis database of the suite's own, empty. Suites flush their database, and with several Jest workers (or two runs
 * on one machine) a database picked at random was sometimes another suite's: each is claimed in database 0 with the
 * gateway's own Redis lock (SET NX, released only by its holder), and handed back emptied.
 */
export async function claimRedisDatabase(): Promise<ClaimedRedisDatabase> {
  const claims = new Redis(`${REDIS}/0`, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  await claims.connect().catch((error: unknown) => {
    throw new Error(`These tests need Redis on 127.0.0.1:6379 (${String(error)}). Start one: redis-server --daemonize yes --port 6379 --save "" --appendonly no (.ci/run does)`);
  });
  const deadline = Date.now() + WAIT_FOR_A_DATABASE_MS;
  for (;;) {
    for (const database of DATABASES.sort(() => Math.random() - 0.5)) {
      const claim = `gateway-tests:database:${database}`;
      const token = await takeRedisLock(claims, claim, CLAIM_TTL_MS);
      if (!token) continue;
      const url = `${REDIS}/${database}`;
      const redis = new Redis(url);
      await redis.flushdb();
      return {
        url,
        redis,
        release: async () => {
          await redis.flushdb();
          redis.disconnect();
          await releaseRedisLock(claims, claim, token);
          claims.disconnect();
        },
      };
    }
    if (Date.now() > deadline) {
      claims.disconnect();
      throw new Error(`no Redis database of 1-15 was free for ${WAIT_FOR_A_DATABASE_MS / 1000} s (claims are gateway-tests:database:<n> in database 0)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
