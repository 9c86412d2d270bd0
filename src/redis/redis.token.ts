import type Redis from 'ioredis';

/** The shared Redis connection, or null when REDIS_URL is not set (everything stays in memory). */
export const REDIS = Symbol('REDIS');
export type SharedRedis = Redis | null;
