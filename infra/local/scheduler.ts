/**
 * A local EventBridge Scheduler: the REST-JSON API `@aws-sdk/client-scheduler` speaks (schedules
 * and schedule groups) on 127.0.0.1, with schedules firing on the LocalClock and Lambda targets
 * run in-process through LocalFunctions, `Target.Input` parsed as the event.
 *
 * Limits: one-shot `at()` expressions only (rate() and cron() are refused); Lambda targets only;
 * FLEXIBLE windows fire at the instant; StartDate, EndDate, KMS keys and tags are stored, not
 * enforced; no authentication. A failed delivery is retried in clock time (+1, +2, +4 … minutes)
 * within its RetryPolicy, then kept as a dead letter whether or not a DeadLetterConfig is set.
 * Schedules due at the same instant for different memberships may fire side by side (`targetKey`).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { dirname } from 'node:path';
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import * as z from 'zod';
import type { LocalClock } from './clock.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, type LocalFunctions } from './functions.js';
import { listenOn, type PortReservation } from './net.js';

dayjs.extend(utc);
dayjs.extend(timezone);

const DEFAULT_GROUP = 'default';
const MINUTE_MS = 60_000;
const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/;

const ResourceName = z.string().regex(/^[0-9a-zA-Z-_.]{1,64}$/, 'Member must match [0-9a-zA-Z-_.]{1,64}');

const ScheduleBody = z.object({
  ScheduleExpression: z.string().min(1).max(256),
  ScheduleExpressionTimezone: z.string().min(1).max(50).default('UTC'),
  Target: z.looseObject({
    Arn: z.string().regex(LAMBDA_ARN, 'the local scheduler supports only Lambda function ARNs as targets'),
    RoleArn: z.string().min(1).max(1600),
    Input: z.string().min(1).max(8192).optional(),
    RetryPolicy: z
      .object({
        MaximumEventAgeInSeconds: z.int().min(60).max(86_400).default(86_400),
        MaximumRetryAttempts: z.int().min(0).max(185).default(185),
      })
      .prefault({}),
    DeadLetterConfig: z.object({ Arn: z.string().min(1).max(1600).optional() }).optional(),
  }),
  FlexibleTimeWindow: z.object({ Mode: z.enum(['OFF', 'FLEXIBLE']), MaximumWindowInMinutes: z.int().min(1).max(1440).optional() }),
  GroupName: ResourceName.default(DEFAULT_GROUP),
  StartDate: z.number().optional(),
  EndDate: z.number().optional(),
  Description: z.string().max(512).optional(),
  State: z.enum(['ENABLED', 'DISABLED']).default('ENABLED'),
  KmsKeyArn: z.string().min(1).max(2048).optional(),
  ClientToken: z.string().min(1).max(64).optional(),
  ActionAfterCompletion: z.enum(['NONE', 'DELETE']).default('NONE'),
});
type ScheduleRequest = z.output<typeof ScheduleBody>;

interface Schedule {
  name: string;
  request: ScheduleRequest;
  /** The `at()` instant, ISO UTC. */
  at: string;
  created: string;
  modified: string;
  completed: boolean;
  retries: number;
  nextAttempt?: string | undefined;
}

interface Group {
  name: string;
  created: string;
}

export interface ScheduleView {
  name: string;
  groupName: string;
  arn: string;
  expression: string;
  timezone: string;
  at: string;
  state: 'ENABLED' | 'DISABLED';
  actionAfterCompletion: 'NONE' | 'DELETE';
  /** Fired (or dead-lettered) and kept because ActionAfterCompletion is NONE; never fires again. */
  completed: boolean;
  /** When the next retry of a failed delivery is due. */
  nextAttempt: string | undefined;
  targetArn: string;
  input: string | undefined;
}

export interface DeadLetter {
  scheduleName: string;
  groupName: string;
  scheduleArn: string;
  targetArn: string;
  input: string | undefined;
  error: string;
  /** Clock time of the last failed attempt. */
  at: string;
  scheduledAt: string;
  attempts: number;
  exhausted: 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds';
  /** `Target.DeadLetterConfig.Arn`, where AWS would have sent it. */
  deadLetterArn: string | undefined;
}

export interface LocalScheduler {
  endpoint: string;
  list(): ScheduleView[];
  deadLetters(): DeadLetter[];
  stop(): Promise<void>;
}

export interface LocalSchedulerOptions {
  clock: LocalClock;
  functions: LocalFunctions;
  /** Schedules, groups and dead letters are written here after every change and loaded at start. */
  persistFile?: string;
  /** Schedule groups that exist from the start, besides `default`. */
  groups?: string[];
  port?: number | PortReservation;
}

interface Persisted {
  groups: Group[];
  schedules: Schedule[];
  deadLetters: DeadLetter[];
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (field: string, constraint: string) =>
  new ApiError(400, 'ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: ${constraint}`);
const notFound = (message: string) => new ApiError(404, 'ResourceNotFoundException', message);

function parse<T extends z.ZodType>(schema: T, value: unknown, field: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `Value at '${[field, ...i.path].filter(Boolean).join('.')}' failed to satisfy constraint: ${i.message}`);
  throw new ApiError(400, 'ValidationException', `${issues.length} validation error(s) detected: ${issues.join('; ')}`);
}

/** `at(yyyy-mm-ddThh:mm:ss)` read as wall time in `timeZone` → the instant. */
function instantOf(expression: string, timeZone: string): Date {
  const wall = AT.exec(expression)?.[1];
  if (!wall) throw invalid('ScheduleExpression', `the local scheduler supports only at(yyyy-mm-ddThh:mm:ss) expressions, not ${expression}`);
  const asUtc = new Date(`${wall}Z`);
  if (Number.isNaN(asUtc.getTime()) || asUtc.toISOString().slice(0, 19) !== wall) throw invalid('ScheduleExpression', `${expression} is not a valid date and time`);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw invalid('ScheduleExpressionTimezone', `${timeZone} is not a valid time zone`);
  }
  return dayjs.tz(wall, timeZone).toDate();
}

/**
 * What a schedule acts on, for the clock (clock.ts): the membership its input names (Relance's
 * timers and the worker's retries name one, whichever function they go to), else the member.
 * Schedules of different targets due at the same instant may fire side by side, as EventBridge
 * Scheduler delivers them; those of one target fire one after the other. A schedule whose input
 * names neither fires alone.
 */
function targetKey(s: Schedule): string | undefined {
  let input: unknown;
  try {
    input = s.request.Target.Input === undefined ? undefined : JSON.parse(s.request.Target.Input);
  } catch {
    return undefined;
  }
  if (typeof input !== 'object' || input === null) return undefined;
  const { orgId, membershipId, memberId } = input as Record<string, unknown>;
  if (typeof orgId !== 'string') return undefined;
  if (typeof membershipId === 'string') return `${orgId}|ms:${membershipId}`;
  if (typeof memberId === 'string') return `${orgId}|mbr:${memberId}`;
  return undefined;
}

const epochSeconds = (iso: string) => Date.parse(iso) / 1000;
const scheduleArn = (group: string, name: string) => `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule/${group}/${name}`;
const groupArn = (name: string) => `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule-group/${name}`;
const keyOf = (group: string, name: string) => `${group}/${name}`;

function page<T>(items: T[], keyOfItem: (item: T) => string, query: URLSearchParams): { items: T[]; NextToken?: string } {
  const max = Number(query.get('MaxResults') ?? 100);
  if (!Number.isInteger(max) || max < 1 || max > 100) throw invalid('MaxResults', 'Member must be between 1 and 100');
  const after = query.get('NextToken');
  const from = after ? Buffer.from(after, 'base64url').toString() : '';
  const rest = items.filter((i) => keyOfItem(i) > from).sort((a, b) => (keyOfItem(a) < keyOfItem(b) ? -1 : 1));
  const shown = rest.slice(0, max);
  const last = shown.at(-1);
  return rest.length > max && last ? { items: shown, NextToken: Buffer.from(keyOfItem(last)).toString('base64url') } : { items: shown };
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = null;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'ValidationException', 'the request body is not a JSON object');
  return body as Record<string, unknown>;
}

export async function startLocalScheduler(options: LocalSchedulerOptions): Promise<LocalScheduler> {
  const { clock, functions, persistFile } = options;
  const nowIso = () => clock.now().toISOString();
  const groups = new Map<string, Group>();
  const schedules = new Map<string, Schedule>();
  const cancels = new Map<string, () => void>();
  let dead: DeadLetter[] = [];
  let stopped = false;

  for (const name of [DEFAULT_GROUP, ...(options.groups ?? [])]) groups.set(name, { name, created: nowIso() });
  if (persistFile && existsSync(persistFile)) {
    const saved = JSON.parse(readFileSync(persistFile, 'utf8')) as Persisted;
    for (const g of saved.groups) groups.set(g.name, g);
    for (const s of saved.schedules) schedules.set(keyOf(s.request.GroupName, s.name), s);
    dead = saved.deadLetters;
  }

  function save(): void {
    if (!persistFile || stopped) return;
    const data: Persisted = { groups: [...groups.values()], schedules: [...schedules.values()], deadLetters: dead };
    mkdirSync(dirname(persistFile), { recursive: true });
    writeFileSync(`${persistFile}.tmp`, JSON.stringify(data, null, 2));
    renameSync(`${persistFile}.tmp`, persistFile);
  }

  function arm(s: Schedule): void {
    const key = keyOf(s.request.GroupName, s.name);
    cancels.get(key)?.();
    cancels.delete(key);
    if (stopped || s.completed || s.request.State === 'DISABLED') return;
    const label = `scheduler ${key}${s.retries ? ` retry ${s.retries}` : ''}`;
    cancels.set(key, clock.schedule(new Date(s.nextAttempt ?? s.at), label, () => deliver(s), { key: targetKey(s) }));
  }

  function remove(s: Schedule): void {
    const key = keyOf(s.request.GroupName, s.name);
    cancels.get(key)?.();
    cancels.delete(key);
    schedules.delete(key);
  }

  function complete(s: Schedule): void {
    if (s.request.ActionAfterCompletion === 'DELETE') return remove(s);
    s.completed = true;
    s.nextAttempt = undefined;
  }

  const current = (s: Schedule) => !stopped && schedules.get(keyOf(s.request.GroupName, s.name)) === s;

  async function deliver(s: Schedule): Promise<void> {
    if (!current(s)) return;
    const { Arn, Input, RetryPolicy, DeadLetterConfig } = s.request.Target;
    try {
      await functions.invoke(Arn, Input === undefined ? {} : (JSON.parse(Input) as unknown));
    } catch (error) {
      if (!current(s)) throw error;
      const now = clock.now().getTime();
      const next = now + MINUTE_MS * 2 ** s.retries;
      const ageOk = next - Date.parse(s.at) <= RetryPolicy.MaximumEventAgeInSeconds * 1000;
      if (s.retries < RetryPolicy.MaximumRetryAttempts && ageOk) {
        s.retries += 1;
        s.nextAttempt = new Date(next).toISOString();
        arm(s);
      } else {
        dead.push({
          scheduleName: s.name,
          groupName: s.request.GroupName,
          scheduleArn: scheduleArn(s.request.GroupName, s.name),
          targetArn: Arn,
          input: Input,
          error: error instanceof Error ? error.message : String(error),
          at: new Date(now).toISOString(),
          scheduledAt: s.at,
          attempts: s.retries + 1,
          exhausted: ageOk ? 'MaximumRetryAttempts' : 'MaximumEventAgeInSeconds',
          deadLetterArn: DeadLetterConfig?.Arn,
        });
        complete(s);
      }
      save();
      throw error;
    }
    if (!current(s)) return;
    complete(s);
    save();
  }

  function find(group: string | null, name: string): Schedule {
    const s = schedules.get(keyOf(group ?? DEFAULT_GROUP, name));
    if (!s) throw notFound(`Schedule ${name} does not exist.`);
    return s;
  }

  function requireGroup(name: string): Group {
    const g = groups.get(name);
    if (!g) throw notFound(`Schedule group ${name} does not exist.`);
    return g;
  }

  function put(name: string, body: unknown, existing?: Schedule): Schedule {
    const request = parse(ScheduleBody, body, '');
    const at = instantOf(request.ScheduleExpression, request.ScheduleExpressionTimezone).toISOString();
    const now = nowIso();
    const s: Schedule = { name, request, at, created: existing?.created ?? now, modified: now, completed: false, retries: 0 };
    schedules.set(keyOf(request.GroupName, name), s);
    arm(s);
    save();
    return s;
  }

  function toOutput(s: Schedule) {
    const r = s.request;
    return {
      Arn: scheduleArn(r.GroupName, s.name),
      Name: s.name,
      GroupName: r.GroupName,
      ScheduleExpression: r.ScheduleExpression,
      ScheduleExpressionTimezone: r.ScheduleExpressionTimezone,
      StartDate: r.StartDate,
      EndDate: r.EndDate,
      Description: r.Description,
      State: r.State,
      KmsKeyArn: r.KmsKeyArn,
      CreationDate: epochSeconds(s.created),
      LastModificationDate: epochSeconds(s.modified),
      Target: r.Target,
      FlexibleTimeWindow: r.FlexibleTimeWindow,
      ActionAfterCompletion: r.ActionAfterCompletion,
    };
  }

  const describeGroup = (g: Group) => ({
    Arn: groupArn(g.name),
    Name: g.name,
    State: 'ACTIVE',
    CreationDate: epochSeconds(g.created),
    LastModificationDate: epochSeconds(g.created),
  });

  const operations = {
    createSchedule(name: string, body: Record<string, unknown>) {
      const group = parse(ScheduleBody.shape.GroupName, body.GroupName, 'GroupName');
      requireGroup(group);
      const existing = schedules.get(keyOf(group, name));
      const token = body.ClientToken;
      if (existing && token !== undefined && existing.request.ClientToken === token) return { ScheduleArn: scheduleArn(group, name) };
      if (existing) throw new ApiError(409, 'ConflictException', `Schedule ${name} already exists.`);
      const s = put(name, body);
      return { ScheduleArn: scheduleArn(s.request.GroupName, name) };
    },
    updateSchedule(name: string, body: Record<string, unknown>) {
      const group = parse(ScheduleBody.shape.GroupName, body.GroupName, 'GroupName');
      const s = put(name, body, find(group, name));
      return { ScheduleArn: scheduleArn(s.request.GroupName, name) };
    },
    getSchedule: (name: string, group: string | null) => toOutput(find(group, name)),
    deleteSchedule(name: string, group: string | null) {
      remove(find(group, name));
      save();
      return {};
    },
    listSchedules(query: URLSearchParams) {
      const group = query.get('ScheduleGroup');
      const prefix = query.get('NamePrefix') ?? '';
      const state = query.get('State');
      const matching = [...schedules.values()].filter(
        (s) => (!group || s.request.GroupName === group) && s.name.startsWith(prefix) && (!state || s.request.State === state),
      );
      const { items, NextToken } = page(matching, (s) => keyOf(s.request.GroupName, s.name), query);
      const Schedules = items.map((s) => {
        const d = toOutput(s);
        return { ...d, Target: { Arn: d.Target.Arn } };
      });
      return { Schedules, NextToken };
    },
    createScheduleGroup(name: string) {
      if (groups.has(name)) throw new ApiError(409, 'ConflictException', `Schedule group ${name} already exists.`);
      groups.set(name, { name, created: nowIso() });
      save();
      return { ScheduleGroupArn: groupArn(name) };
    },
    getScheduleGroup: (name: string) => describeGroup(requireGroup(name)),
    deleteScheduleGroup(name: string) {
      requireGroup(name);
      if (name === DEFAULT_GROUP) throw new ApiError(400, 'ValidationException', 'The default schedule group cannot be deleted.');
      for (const s of [...schedules.values()]) if (s.request.GroupName === name) remove(s);
      groups.delete(name);
      save();
      return {};
    },
    listScheduleGroups(query: URLSearchParams) {
      const prefix = query.get('NamePrefix') ?? '';
      const matching = [...groups.values()].filter((g) => g.name.startsWith(prefix));
      const { items, NextToken } = page(matching, (g) => g.name, query);
      return { ScheduleGroups: items.map(describeGroup), NextToken };
    },
  };

  function route(method: string, url: URL, body: Record<string, unknown>): unknown {
    const [, collection, rawName, ...rest] = url.pathname.split('/');
    const q = url.searchParams;
    const noSuchOperation = new ApiError(404, 'UnknownOperationException', `no operation for ${method} ${url.pathname}`);
    if (rest.length > 0) throw noSuchOperation;
    if (rawName === undefined || rawName === '') {
      if (method === 'GET' && collection === 'schedules') return operations.listSchedules(q);
      if (method === 'GET' && collection === 'schedule-groups') return operations.listScheduleGroups(q);
      throw noSuchOperation;
    }
    const name = parse(ResourceName, decodeURIComponent(rawName), 'Name');
    if (collection === 'schedules') {
      if (method === 'POST') return operations.createSchedule(name, body);
      if (method === 'PUT') return operations.updateSchedule(name, body);
      if (method === 'GET') return operations.getSchedule(name, q.get('groupName'));
      if (method === 'DELETE') return operations.deleteSchedule(name, q.get('groupName'));
    }
    if (collection === 'schedule-groups') {
      if (method === 'POST') return operations.createScheduleGroup(name);
      if (method === 'GET') return operations.getScheduleGroup(name);
      if (method === 'DELETE') return operations.deleteScheduleGroup(name);
    }
    throw noSuchOperation;
  }

  const server = createServer((req, res) => {
    void (async () => {
      let status = 200;
      let payload: unknown;
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() };
      try {
        payload = route(req.method ?? 'GET', new URL(req.url ?? '/', 'http://127.0.0.1'), await readBody(req));
      } catch (error) {
        const e = error instanceof ApiError ? error : new ApiError(500, 'InternalServerException', error instanceof Error ? error.message : String(error));
        status = e.status;
        headers['x-amzn-errortype'] = e.type;
        payload = { Message: e.message };
      }
      res.writeHead(status, headers).end(JSON.stringify(payload));
    })();
  });
  const port = await listenOn(server, options.port);
  for (const s of schedules.values()) arm(s);

  return {
    endpoint: `http://127.0.0.1:${port}`,
    list: () =>
      [...schedules.values()].map((s) => ({
        name: s.name,
        groupName: s.request.GroupName,
        arn: scheduleArn(s.request.GroupName, s.name),
        expression: s.request.ScheduleExpression,
        timezone: s.request.ScheduleExpressionTimezone,
        at: s.at,
        state: s.request.State,
        actionAfterCompletion: s.request.ActionAfterCompletion,
        completed: s.completed,
        nextAttempt: s.nextAttempt,
        targetArn: s.request.Target.Arn,
        input: s.request.Target.Input,
      })),
    deadLetters: () => dead.map((d) => ({ ...d })),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const cancel of cancels.values()) cancel();
      cancels.clear();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
