import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import type { LocalClock } from './clock.js';
import type { LocalFunctions } from './functions.js';
import type { CfnTemplate } from './template.js';

/**
 * A local Lambda event source mapping on the table's DynamoDB stream: DynamoDB Local's real
 * stream (DescribeStream, GetShardIterator, GetRecords), read as Lambda reads it and handed to
 * the function the template maps it to, with the mapping's settings from the synthesized
 * template: its filter patterns, batch size, bisect on error, retry attempts, partial batch
 * responses (ReportBatchItemFailures); a record that exhausts its retries becomes a dead letter.
 *
 * In flow mode it polls every `pollMs`; the clock settles it after every firing (and tests
 * settle it directly), so whatever a change wrote is worked before the clock moves on.
 */
export interface StreamMapping {
  functionName: string;
  batchSize: number;
  bisect: boolean;
  retryAttempts: number;
  reportBatchItemFailures: boolean;
  filters: unknown[];
}

export interface LocalStreamOptions {
  ddb: DynamoDBClient;
  tableName: string;
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  functions: LocalFunctions;
  mapping: StreamMapping;
  clock: LocalClock;
  /** Poll in the background (flow mode); tests leave it off and settle instead. */
  pollMs?: number;
  /** Fault injection: deliver a batch a second time (Lambda's at-least-once delivery). */
  duplicate?: () => boolean;
}

export interface DeadLetter {
  records: string[];
  error: string;
  at: string;
}

export interface LocalStream {
  /** Reads and works every record written so far, and the records that work writes, until none is left. */
  settle(): Promise<void>;
  deadLetters(): DeadLetter[];
  stats(): { delivered: number; batches: number; retries: number };
  stop(): Promise<void>;
}

/** The event source mapping of `functionName`'s stream, as the template declares it. */
export function streamMappingFromTemplate(template: CfnTemplate): StreamMapping {
  const mappings = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
  if (mappings.length !== 1) throw new Error(`expected one event source mapping in the template, found ${mappings.length}`);
  const p = mappings[0]!.Properties ?? {};
  const ref = (p.FunctionName as { Ref?: string } | undefined)?.Ref;
  const fn = ref ? template.Resources[ref] : undefined;
  const functionName = fn?.Properties?.FunctionName;
  if (typeof functionName !== 'string') throw new Error('the event source mapping names no function of the template');
  const filters = ((p.FilterCriteria as { Filters?: { Pattern: string }[] } | undefined)?.Filters ?? []).map((f) => JSON.parse(f.Pattern) as unknown);
  return {
    functionName,
    batchSize: Number(p.BatchSize ?? 100),
    bisect: p.BisectBatchOnFunctionError === true,
    retryAttempts: Number(p.MaximumRetryAttempts ?? 10),
    reportBatchItemFailures: Array.isArray(p.FunctionResponseTypes) && (p.FunctionResponseTypes as string[]).includes('ReportBatchItemFailures'),
    filters,
  };
}

/** Lambda's event filtering, for the pattern forms the template uses: arrays of exact values, nested objects. */
export function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some((p) => p === value);
  if (typeof pattern !== 'object' || pattern === null) return pattern === value;
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(pattern).every(([key, sub]) => matchesPattern((value as Record<string, unknown>)[key], sub));
}

function toLambdaRecord(r: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const d = r.dynamodb!;
  return {
    eventID: r.eventID,
    eventName: r.eventName as DynamoDBRecord['eventName'],
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: d.ApproximateCreationDateTime ? Math.floor(new Date(d.ApproximateCreationDateTime).getTime() / 1000) : undefined,
      Keys: d.Keys as never,
      NewImage: d.NewImage as never,
      OldImage: d.OldImage as never,
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType as never,
    },
  };
}

export async function startLocalStream(options: LocalStreamOptions): Promise<LocalStream> {
  const { mapping, functions } = options;
  const table = await options.ddb.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream: the template must declare one`);
  const client = new DynamoDBStreamsClient({ region: options.region, endpoint: options.endpoint, credentials: options.credentials });
  /** Open shards and where each was read up to. */
  const iterators = new Map<string, string>();
  const finished = new Set<string>();
  const dead: DeadLetter[] = [];
  const counters = { delivered: 0, batches: 0, retries: 0 };
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  async function discover(): Promise<void> {
    let start: string | undefined;
    do {
      const out = await client.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      for (const shard of out.StreamDescription?.Shards ?? []) {
        const id = shard.ShardId!;
        if (iterators.has(id) || finished.has(id)) continue;
        const it = await client.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: id, ShardIteratorType: 'TRIM_HORIZON' }));
        if (it.ShardIterator) iterators.set(id, it.ShardIterator);
      }
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
  }

  /** Invokes the function with a batch, as the event source mapping does; answers the records still to retry. */
  async function invoke(batch: DynamoDBRecord[]): Promise<DynamoDBRecord[]> {
    counters.batches++;
    let result: unknown;
    try {
      result = await functions.invoke(mapping.functionName, { Records: batch });
      if (options.duplicate?.()) await functions.invoke(mapping.functionName, { Records: batch });
    } catch {
      return batch;
    }
    if (!mapping.reportBatchItemFailures) return [];
    const failures = (result as { batchItemFailures?: { itemIdentifier: string }[] } | undefined)?.batchItemFailures ?? [];
    if (failures.length === 0) return [];
    const failed = new Set(failures.map((f) => f.itemIdentifier));
    const first = batch.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''));
    // Lambda retries from the first failed record on.
    return first < 0 ? batch : batch.slice(first);
  }

  async function deliver(batch: DynamoDBRecord[]): Promise<void> {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const left = await invoke(pending);
      if (left.length === 0) return;
      if (attempt >= mapping.retryAttempts) {
        dead.push({ records: left.map((r) => r.dynamodb?.SequenceNumber ?? ''), error: 'retries exhausted', at: options.clock.now().toISOString() });
        console.error(`local stream: ${left.length} record(s) sent to the dead letters after ${attempt} retries`);
        return;
      }
      counters.retries++;
      if (mapping.bisect && left.length > 1) {
        const half = Math.ceil(left.length / 2);
        await deliver(left.slice(0, half));
        await deliver(left.slice(half));
        return;
      }
      pending = left;
    }
  }

  /** One pass over every shard; answers how many records it read. */
  async function pass(): Promise<number> {
    await discover();
    let read = 0;
    for (const [shard, iterator] of [...iterators]) {
      let out;
      try {
        out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      } catch (error) {
        if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
          iterators.delete(shard);
          continue;
        }
        throw error;
      }
      if (out.NextShardIterator) iterators.set(shard, out.NextShardIterator);
      else {
        iterators.delete(shard);
        finished.add(shard);
      }
      const records = (out.Records ?? []).map((r) => toLambdaRecord(r, streamArn!, options.region));
      read += records.length;
      const wanted = records.filter((r) => mapping.filters.length === 0 || mapping.filters.some((f) => matchesPattern(r, f)));
      counters.delivered += wanted.length;
      for (let i = 0; i < wanted.length; i += mapping.batchSize) await deliver(wanted.slice(i, i + mapping.batchSize));
    }
    return read;
  }

  /** Passes are serialised: a record is handed over once, in order. */
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const run = running.then(work);
    running = run.catch(() => undefined);
    return run;
  }

  async function settle(): Promise<void> {
    if (stopped) return;
    await serial(async () => {
      while ((await pass()) > 0) {
        // what the workers wrote is read on the next pass
      }
    });
  }

  const removeSettler = options.clock.addSettler(settle);
  let timer: NodeJS.Timeout | undefined;
  if (options.pollMs) {
    const tick = () => {
      if (stopped) return;
      void serial(pass)
        .catch((error: unknown) => console.error(`local stream: ${String(error)}`))
        .finally(() => {
          if (!stopped) timer = setTimeout(tick, options.pollMs);
        });
    };
    timer = setTimeout(tick, options.pollMs);
  }

  return {
    settle,
    deadLetters: () => [...dead],
    stats: () => ({ ...counters }),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      removeSettler();
      await running;
      client.destroy();
    },
  };
}
