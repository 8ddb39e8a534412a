import type { ImportPlanThresholds } from '../runtime/config.ts';
import type { ImportPlan, ImportShard } from './job.ts';

/** What the plan knows of the object: HeadObject's size and ETag, and whether its bytes are gzip. */
export interface ObjectFacts {
  readonly size: number;
  readonly etag: string;
  readonly compressed: boolean;
}

/**
 * How much larger than its gzip the CSV text is assumed to be when sizing a gzip import for Lambda: the bench's
 * users file compresses 8.2× (42.4 MB to 5.2 MB at level 6); files of varied attributes compress less, so a gzip
 * object is planned as if it held 8× its size, never less text than it may hold.
 */
export const GZIP_EXPANSION = 8;

/**
 * The talk's rule as code. In order: an object of at most `lambdaMaxBytes` (a gzip one: `lambdaMaxBytes / 8`)
 * imports on Lambda; gzip, which cannot be split, on one Fargate task; an object of at most `shardBytes` (one
 * shard's worth) on one Fargate task; anything larger on `min(maxShards, ceil(size / shardBytes))` Fargate tasks
 * over equal byte ranges, at most `maxConcurrency` at once.
 */
export function chooseImportPlan(object: ObjectFacts, t: ImportPlanThresholds): ImportPlan {
  const { size, etag, compressed } = object;
  const plan = (
    executor: ImportPlan['executor'],
    reason: string,
    shards: ImportShard[] = [],
  ): ImportPlan => ({
    executor,
    reason,
    objectBytes: size,
    etag,
    compressed,
    shards,
    maxConcurrency: t.maxConcurrency,
  });
  if (compressed) {
    const gzipLambdaMax = Math.floor(t.lambdaMaxBytes / GZIP_EXPANSION);
    if (size <= gzipLambdaMax) {
      return plan(
        'lambda',
        `gzip object of ${bytes(size)}: at most lambdaMaxBytes / ${GZIP_EXPANSION} = ${bytes(gzipLambdaMax)} (its CSV text taken as ${GZIP_EXPANSION}× its size)`,
      );
    }
    return plan(
      'fargate',
      `gzip object of ${bytes(size)}, more than lambdaMaxBytes / ${GZIP_EXPANSION} = ${bytes(gzipLambdaMax)}; gzip cannot be split into byte ranges, so one task reads it`,
    );
  }
  if (size <= t.lambdaMaxBytes) {
    return plan('lambda', `object of ${bytes(size)}: at most lambdaMaxBytes = ${bytes(t.lambdaMaxBytes)}`);
  }
  if (size <= t.shardBytes) {
    return plan(
      'fargate',
      `object of ${bytes(size)}: more than lambdaMaxBytes = ${bytes(t.lambdaMaxBytes)}, at most one shard (shardBytes = ${bytes(t.shardBytes)})`,
    );
  }
  const wanted = Math.ceil(size / t.shardBytes);
  const shardCount = Math.min(t.maxShards, wanted);
  const capped = wanted > t.maxShards ? `, capped at maxShards = ${t.maxShards}` : '';
  return plan(
    'sharded',
    `object of ${bytes(size)}: ${shardCount} shards of about ${bytes(Math.ceil(size / shardCount))} (shardBytes = ${bytes(t.shardBytes)}${capped}), at most ${t.maxConcurrency} at once`,
    equalRanges(size, shardCount),
  );
}

/** `count` ranges tiling `[0, size)`, as equal as whole bytes allow; the last ends at `size`. */
export function equalRanges(size: number, count: number): ImportShard[] {
  return Array.from({ length: count }, (_, shardIndex) => ({
    shardIndex,
    shardCount: count,
    rangeStart: Math.floor((size * shardIndex) / count),
    rangeEnd: Math.floor((size * (shardIndex + 1)) / count),
  }));
}

/** A byte count for people: `512 MiB (536,870,912 bytes)`. */
function bytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const exact = `${n.toLocaleString('en-US')} bytes`;
  return unit === 0 ? exact : `${Number(value.toFixed(1))} ${units[unit]} (${exact})`;
}
