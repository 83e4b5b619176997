import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { apiHandler } from '../../functions/handlers/api.js';
import { consoleHandler } from '../../functions/handlers/console.js';
import { consoleApp, type ConsoleFiles } from '../../templates/console/build.js';
import { dunningHandler } from '../../functions/handlers/dunning.js';
import { linksHandler } from '../../functions/handlers/links.js';
import { timerHandler } from '../../functions/handlers/timer.js';
import { feedbackHandler } from '../../functions/handlers/feedback.js';
import { workerHandler } from '../../functions/handlers/worker.js';
import { emailRenderer } from '../../templates/emails/render.js';
import { LocalEventBus } from '../../shared/adapters/eventbridge/local.js';
import { DOMAIN_EVENT_TYPES } from '../../shared/domain/events.js';
import { webhooksHandler } from '../../functions/handlers/webhooks.js';
import { StripeGateway } from '../../shared/adapters/payments/stripe.js';
import type { Config } from '../../shared/config.js';
import type { PaymentGateway } from '../../shared/ports/payments.js';
import { awsClients, buildDeps, type Deps } from '../../shared/deps.js';
import { generateLinkKeys, parseLinkKeys } from '../../shared/domain/links.js';
import type { FunctionName } from '../constructs/bundling.js';
import { FUNCTION_METADATA_KEY } from '../constructs/house-function.js';
import { LOCAL_CLIENT_ID, startLocalAuth } from './auth.js';
import { addIsoDuration, type ClockMode, LocalClock } from './clock.js';
import { startDynamoDbLocal } from './dynamodb.js';
import { routesFromTemplate, sendJson, startFront } from './front.js';
import { functionArn, LOCAL_ACCOUNT, LOCAL_REGION, type LocalHandler, LocalFunctions } from './functions.js';
import { reservePort } from './net.js';
import { startLocalScheduler } from './scheduler.js';
import { seedDemo, DEMO_ADMIN } from './seed.js';
import { type LocalSes, type LocalSesOptions, startLocalSes } from './ses.js';
import { type LocalStream, startLocalStream, streamMappingFromTemplate } from './streams.js';
import { resolveStateMachines, startLocalStepFunctions } from './stepfunctions.js';
import { createTableFromTemplate } from './table.js';
import { LocalGatewayConnector } from './gateway.js';
import { startLocalSsm } from './ssm.js';
import { type StripeEmulator, type StripeFault, startStripeEmulator } from './stripe/emulator.js';
import { LOCAL_DEPLOY_CONFIG, singleResource, synthesizeTemplates, type Templates } from './template.js';

export interface LocalCloudOptions {
  /** Port of the HTTP front on 127.0.0.1; 0 picks a free one. Default 3000. */
  port?: number;
  /** Keep data in this folder across restarts (DynamoDB, schedules, executions, keys, clock). */
  persistDir?: string;
  clock?: { start?: Date; mode?: ClockMode };
  /** Use an already running DynamoDB Local instead of starting one (tests share one). */
  dynamodbEndpoint?: string;
  tableName?: string;
  /** Seed the demo organisation when the store is empty. Default true. */
  seed?: boolean;
  /** Templates already synthesized (tests synthesize once). */
  templates?: Templates;
  /** Fault injection for tests: SES answers, duplicate stream deliveries, the Stripe emulator's answers. */
  faults?: { ses?: LocalSesOptions['faults']; duplicateStreamBatch?: () => boolean; stripe?: (request: { method: string; path: string }) => StripeFault };
  /** Wraps the payment gateway the functions use (tests inject gateway faults here). */
  wrapPayments?: (gateway: PaymentGateway) => PaymentGateway;
}

export interface LocalCloud {
  url: string;
  urls: { api: string; console: string; mailViewer: string; dynamodb: string; scheduler: string; stepfunctions: string };
  clock: LocalClock;
  deps: Deps;
  functions: LocalFunctions;
  stream: LocalStream;
  /** R-EVT-1: the local EventBridge bus, with every domain event the worker published. */
  bus: LocalEventBus;
  /** The Stripe emulator every local organisation is connected to (R-PAY-5). */
  stripe: StripeEmulator;
  /** Works every stream record written so far (and what that work writes), as the deployed mapping would. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Every function entry, by the name the CDK construct writes in the template's metadata. */
const FACTORIES: Record<FunctionName, (deps: Deps, consoleFiles: ConsoleFiles, bus: LocalEventBus) => LocalHandler> = {
  api: (deps) => apiHandler(deps) as LocalHandler,
  links: (deps) => linksHandler(deps) as LocalHandler,
  console: (_deps, consoleFiles) => consoleHandler({ AUTH_MODE: 'local' }, consoleFiles) as LocalHandler,
  timer: (deps) => timerHandler(deps) as LocalHandler,
  dunning: (deps) => dunningHandler(deps) as LocalHandler,
  // R-EVT-1: the worker publishes domain events on the local bus (GET /_local/events).
  worker: (deps, _files, bus) => workerHandler(deps, emailRenderer, bus) as LocalHandler,
  feedback: (deps) => feedbackHandler(deps) as LocalHandler,
  webhooks: (deps) => webhooksHandler(deps) as LocalHandler,
};

/**
 * Starts the whole back end on one machine: DynamoDB Local, SES with its viewer, the local
 * Scheduler and Step Functions, the HTTP front, and the functions themselves, wired as the
 * synthesized CDK templates describe them.
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((e: unknown) => console.error(`local cloud stop: ${String(e)}`));
  };
  try {
    const persist = options.persistDir;
    if (persist && !existsSync(persist)) mkdirSync(persist, { recursive: true });
    const clockFile = persist && join(persist, 'clock.json');
    const savedClock = clockFile && existsSync(clockFile) ? new Date((JSON.parse(readFileSync(clockFile, 'utf8')) as { now: string }).now) : undefined;
    const clock = new LocalClock(options.clock?.start ?? savedClock ?? new Date(), options.clock?.mode ?? 'flow');
    stops.push(async () => {
      await clock.stop();
      if (clockFile) writeFileSync(clockFile, JSON.stringify({ now: clock.now().toISOString() }));
    });

    const [templates, dynamodb] = await Promise.all([
      Promise.resolve().then(() => options.templates ?? synthesizeTemplates()),
      options.dynamodbEndpoint
        ? Promise.resolve({ endpoint: options.dynamodbEndpoint, stop: async () => undefined })
        : startDynamoDbLocal({ dataDir: persist && join(persist, 'dynamodb') }),
    ]);
    stops.push(() => dynamodb.stop());

    // The local cloud's own DynamoDB client: it creates the table and reads it for /_local routes.
    const ddb = new DynamoDBClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: dynamodb.endpoint });
    const tableName = options.tableName ?? 'relance-local';
    await createTableFromTemplate(ddb, templates.stateful, tableName);

    const stage = LOCAL_DEPLOY_CONFIG.stage;
    // Functions are registered below; SES's Send events reach the feedback function as EventBridge would bring them.
    const functions = new LocalFunctions();
    // The send rate is a rate of wall time: enforced while the clock flows with it. A frozen clock
    // stands still while a firing's consequences run (they all happen at its instant), so neither
    // SES nor the worker paces itself then; pacing in wall time would only slow a simulated year.
    const flowing = clock.mode === 'flow';
    const ses = await startLocalSes(clock, {
      maxSendRate: flowing ? LOCAL_DEPLOY_CONFIG.mailSendRate : undefined,
      faults: options.faults?.ses,
      onAccepted: async (message) => {
        await functions.invoke(`relance-${stage}-feedback`, {
          source: 'aws.ses',
          'detail-type': 'Email Sent',
          detail: {
            eventType: 'Send',
            mail: { messageId: message.messageId, timestamp: message.at, tags: Object.fromEntries(Object.entries(message.tags).map(([k, v]) => [k, [v]])) },
            send: {},
          },
        });
      },
      // R-OPS-1: the mailbox simulator's deliveries, bounces and complaints, as the configuration set's EventBridge destination brings them.
      onEvent: async (event) => {
        await functions.invoke(`relance-${stage}-feedback`, event);
      },
      // R-OPS-2: the local mail domain (the demo's) is a verified identity from the start.
      verifiedIdentities: [LOCAL_MAIL_DOMAIN],
      region: LOCAL_REGION,
    });
    stops.push(() => ses.stop());

    // Ports first, so the functions are wired before any schedule or execution can call them.
    // Held open until their servers take them over (net.ts): no other program can take them meanwhile.
    const [schedulerPort, sfnPort] = [await reservePort(), await reservePort()];
    stops.push(() => schedulerPort.release(), () => sfnPort.release());
    const port = options.port ?? 3000;
    const frontPort = port === 0 ? await reservePort() : port;
    if (typeof frontPort === 'object') stops.push(() => frontPort.release());
    const url = `http://127.0.0.1:${typeof frontPort === 'object' ? frontPort.port : frontPort}`;

    // R-PAY-1, R-PAY-5: organisations' Stripe credentials in the local SSM; Stripe is the emulator.
    const ssm = await startLocalSsm({ persistFile: persist && join(persist, 'ssm.json'), keyFile: persist && join(persist, 'ssm-key') });
    stops.push(() => ssm.stop());
    const stripe = await startStripeEmulator({ now: () => clock.now(), fault: options.faults?.stripe, persistFile: persist && join(persist, 'stripe.json') });
    stops.push(() => stripe.stop());
    const dunning = resolveStateMachines(templates.stateless, { region: LOCAL_REGION, account: LOCAL_ACCOUNT }).find((m) => m.name === `relance-${stage}-dunning`);
    if (!dunning) throw new Error('the synthesized template has no dunning state machine');
    const scheduleGroup = String(singleResource(templates.stateful, 'AWS::Scheduler::ScheduleGroup').properties.Name);
    const linkKeysFile = persist && join(persist, 'link-keys.json');
    const linkKeysJson = linkKeysFile && existsSync(linkKeysFile) ? readFileSync(linkKeysFile, 'utf8') : generateLinkKeys();
    if (linkKeysFile) writeFileSync(linkKeysFile, linkKeysJson, { mode: 0o600 });
    const config: Config = {
      TABLE_NAME: tableName,
      SCHEDULER_GROUP_NAME: scheduleGroup,
      TIMER_FUNCTION_ARN: functionArn(`relance-${stage}-timer`),
      WORKER_FUNCTION_ARN: functionArn(`relance-${stage}-worker`),
      SCHEDULER_ROLE_ARN: `arn:aws:iam::${LOCAL_ACCOUNT}:role/relance-${stage}-scheduler`,
      DUNNING_STATE_MACHINE_ARN: dunning.arn,
      SES_CONFIGURATION_SET: `relance-${stage}`,
      // One local worker: it paces itself to the share the deployed worker instances each get (flowing clock only, above).
      MAIL_SEND_RATE: flowing ? LOCAL_DEPLOY_CONFIG.mailSendRate / LOCAL_DEPLOY_CONFIG.workerConcurrency : undefined,
      MAIL_DOMAIN: LOCAL_MAIL_DOMAIN,
      PUBLIC_BASE_URL: url,
      GATEWAY_PARAMETER_PREFIX: `/relance/${stage}/stripe`,
      STRIPE_API_BASE: stripe.apiBase,
      // R-EVT-1: outbound webhooks may point at a local receiver (http://127.0.0.1) here only.
      WEBHOOK_ALLOW_HTTP: 'loopback',
      LINK_KEYS: linkKeysJson,
    };
    const built = buildDeps(
      config,
      awsClients({
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
        endpoints: { dynamodb: dynamodb.endpoint, scheduler: `http://127.0.0.1:${schedulerPort.port}`, sesv2: ses.endpoint, sfn: `http://127.0.0.1:${sfnPort.port}`, ssm: ssm.endpoint },
      }),
      parseLinkKeys(linkKeysJson),
      clock,
    );
    // The functions' gateway reads credentials through the connector, which connects a new local organisation.
    const connector = new LocalGatewayConnector(built.gatewaySecrets, stripe, url);
    const payments = new StripeGateway({ secrets: connector, clock, apiBase: stripe.apiBase });
    const deps: Deps = {
      ...built,
      store: connector.connectingStore(built.store),
      gatewaySecrets: connector,
      payments: options.wrapPayments ? options.wrapPayments(payments) : payments,
    };
    connector.attach(deps);

    const consoleFiles = await consoleApp();
    const bus = new LocalEventBus();
    for (const [logicalId, resource] of Object.entries(templates.stateless.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const entry = resource.Metadata?.[FUNCTION_METADATA_KEY] as FunctionName | undefined;
      const name = resource.Properties?.FunctionName;
      if (!entry || typeof name !== 'string' || !FACTORIES[entry]) throw new Error(`function ${logicalId} has no local entry`);
      functions.register(name, FACTORIES[entry](deps, consoleFiles, bus));
    }

    const stream = await startLocalStream({
      ddb,
      tableName,
      endpoint: dynamodb.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      functions,
      mapping: streamMappingFromTemplate(templates.stateless),
      clock,
      pollMs: clock.mode === 'flow' ? 200 : undefined,
      duplicate: options.faults?.duplicateStreamBatch,
    });
    stops.push(() => stream.stop());

    const scheduler = await startLocalScheduler({ clock, functions, groups: [scheduleGroup], port: schedulerPort, persistFile: persist && join(persist, 'schedules.json') });
    stops.push(() => scheduler.stop());
    const sfn = await startLocalStepFunctions({ clock, functions, template: templates.stateless, region: LOCAL_REGION, account: LOCAL_ACCOUNT, port: sfnPort, persistFile: persist && join(persist, 'executions.json') });
    stops.push(() => sfn.stop());

    const auth = await startLocalAuth({ issuer: `${url}/_local/cognito`, clock, keyFile: persist && join(persist, 'auth-keys.json') });
    const probe = async (url: string, init?: RequestInit) => (await fetch(url, { ...init, signal: AbortSignal.timeout(2000) })).status < 500;
    const health = async () => {
      const parts = await Promise.all([
        ['dynamodb', () => ddb.send(new DescribeTableCommand({ TableName: tableName })).then((t) => t.Table?.TableStatus === 'ACTIVE')],
        ['ses', () => probe(`${ses.viewerUrl}health-check`)],
        ['scheduler', () => probe(`${scheduler.endpoint}/schedule-groups/default`)],
        ['stepfunctions', () => probe(sfn.endpoint, { method: 'POST', headers: { 'x-amz-target': 'AWSStepFunctions.ListStateMachines', 'content-type': 'application/x-amz-json-1.0' }, body: '{}' })],
        // The emulator answers an unauthenticated call 401, as Stripe does: it is up.
        ['stripe', () => fetch(`${stripe.apiBase}/v1/customers`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 401)],
        ['ssm', () => probe(ssm.endpoint, { method: 'POST', headers: { 'x-amz-target': 'AmazonSSM.GetParameter', 'content-type': 'application/x-amz-json-1.1' }, body: '{"Name":"/health"}' })],
      ].map(async ([name, check]) => [name, await (check as () => Promise<boolean>)().catch(() => false)] as const));
      return Object.fromEntries(parts) as Record<string, boolean>;
    };
    const local = localRoutes({ clock, auth, ses, scheduler, sfn, stripe, connections: () => connectionsOf(deps), health, stream, bus });
    if (options.seed ?? true) await seedDemo(deps);
    // Organisations kept from an earlier run are connected again (listed by GET /_local/gateway).
    await connector.get(DEMO_ADMIN.orgId);
    // The front opens last: once it answers, every part is up and the demo is seeded.
    const front = await startFront({ port: frontPort, routes: routesFromTemplate(templates.stateless), functions, auth, clock, local });
    stops.push(() => closeServer(front.server));

    if (clock.mode === 'flow') clock.startTicker();

    return {
      url,
      urls: {
        api: `${url}/api`,
        console: `${url}/console`,
        mailViewer: ses.viewerUrl,
        dynamodb: dynamodb.endpoint,
        scheduler: scheduler.endpoint,
        stepfunctions: sfn.endpoint,
      },
      clock,
      deps,
      functions,
      stream,
      stripe,
      bus,
      settle: () => settleAll(stream, stripe, ses),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Works the stream and the emulator's webhooks until neither has anything left: a webhook's
 * action writes stream records, and the worker's charges make webhooks.
 */
async function settleAll(stream: LocalStream, stripe: StripeEmulator, ses: LocalSes): Promise<void> {
  for (let round = 0; round < 10; round++) {
    await stream.settle();
    // SES's events (bounces, complaints) come after the mail that caused them, and may write mail.
    const events = await ses.deliverEvents();
    const before = stripe.pendingWebhooks();
    if (before === 0 && events === 0) return;
    if (before > 0) await stripe.deliverWebhooks();
  }
  await stream.settle();
}

/** R-OPS-2: the local deployment's own mail domain (`MAIL_DOMAIN`), the demo's; a verified SES identity from the start. */
const LOCAL_MAIL_DOMAIN = 'club.example';

/**
 * `GET /_local/payments`: what the Stripe emulator holds for every local organisation, flat and
 * oldest first — each PaymentIntent and refund with the organisation, the member (from the
 * customer's metadata), the idempotency key it was made with and its outcome; and the webhook
 * deliveries.
 */
function paymentsView(stripe: StripeEmulator, accounts: Record<string, string>) {
  const items: unknown[] = [];
  const refunds: unknown[] = [];
  const webhooks: unknown[] = [];
  for (const [orgId, key] of Object.entries(accounts)) {
    const members = new Map(stripe.customers(key).map((c) => [c.id, c.metadata.memberId ?? null]));
    const keys = stripe.creationKeys(key);
    for (const pi of stripe.paymentIntents(key)) {
      const status = pi.status === 'requires_payment_method' && pi.last_payment_error ? 'declined' : pi.status;
      items.push({
        orgId,
        reference: pi.id,
        idempotencyKey: keys.get(pi.id) ?? null,
        memberId: pi.customer ? (members.get(pi.customer) ?? null) : null,
        customerRef: pi.customer,
        amount: { amount: pi.amount, currency: pi.currency.toUpperCase() },
        metadata: pi.metadata,
        result: { status, reference: pi.id, code: pi.last_payment_error?.decline_code ?? pi.last_payment_error?.code ?? null },
        at: new Date(pi.created * 1000).toISOString(),
      });
    }
    for (const r of stripe.refunds(key)) {
      refunds.push({
        orgId,
        reference: r.id,
        idempotencyKey: keys.get(r.id) ?? null,
        chargeReference: r.payment_intent,
        amount: { amount: r.amount, currency: r.currency.toUpperCase() },
        metadata: r.metadata,
        result: { status: r.status, reference: r.id },
        at: new Date(r.created * 1000).toISOString(),
      });
    }
    for (const d of stripe.deliveries(key)) webhooks.push({ orgId, ...d });
  }
  return { items, refunds, webhooks };
}

/** The local organisations connected to the emulator, with their keys (local only: `GET /_local/gateway`). */
async function connectionsOf(deps: Deps): Promise<Record<string, string>> {
  const connector = deps.gatewaySecrets as LocalGatewayConnector;
  const out: Record<string, string> = {};
  for (const orgId of connector.known()) {
    const credentials = await deps.gatewaySecrets.get(orgId);
    if (credentials) out[orgId] = credentials.secretKey;
  }
  return out;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

interface LocalParts {
  clock: LocalClock;
  auth: Awaited<ReturnType<typeof startLocalAuth>>;
  ses: Awaited<ReturnType<typeof startLocalSes>>;
  scheduler: Awaited<ReturnType<typeof startLocalScheduler>>;
  sfn: Awaited<ReturnType<typeof startLocalStepFunctions>>;
  stripe: StripeEmulator;
  connections: () => Promise<Record<string, string>>;
  health: () => Promise<Record<string, boolean>>;
  stream: LocalStream;
  bus: LocalEventBus;
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The `/_local` routes of SPEC §8 and a few views for people and tests. Never deployed. */
function localRoutes(parts: LocalParts) {
  const bad = (res: ServerResponse, message: string) => sendJson(res, 400, { error: { code: 'validation_failed', message, details: [] } });
  return async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://local');
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /_local/health': {
        const checks = await parts.health();
        const ok = Object.values(checks).every(Boolean);
        sendJson(res, ok ? 200 : 503, { ok, parts: checks, now: parts.clock.now().toISOString() });
        return true;
      }
      case 'GET /_local/login': {
        // Issue 11, item 7: a person or a test lands in the console signed in, in one step. The
        // console (local mode only) takes `?login=local` as the development login, for `org`
        // (default: the demo organisation); `to` is the console page (`#/members`…); `role` is
        // `owners` (default) or `staff` (R-CON-5).
        const org = url.searchParams.get('org') ?? DEMO_ADMIN.orgId;
        const to = url.searchParams.get('to') ?? '#/';
        const role = url.searchParams.get('role') ?? 'owners';
        if (!/^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/.test(org) || !/^#\/[A-Za-z0-9/_?=&%.,-]*$/.test(to) || !['owners', 'staff'].includes(role)) {
          return (bad(res, 'org, to or role is malformed'), true);
        }
        res.writeHead(302, { location: `/console/?login=local&org=${encodeURIComponent(org)}&role=${role}${to}`, 'cache-control': 'no-store' });
        res.end();
        return true;
      }
      case 'POST /_local/token': {
        const input = parseJson(body) as { orgId?: unknown; email?: unknown; groups?: unknown } | undefined;
        if (input === undefined) return (bad(res, 'the body is not JSON'), true);
        const orgId = typeof input.orgId === 'string' ? input.orgId : DEMO_ADMIN.orgId;
        const email = typeof input.email === 'string' ? input.email : DEMO_ADMIN.email;
        // R-CON-5: the user's Cognito groups (default: an owner, like the demo admin).
        const groups = Array.isArray(input.groups) ? input.groups.filter((g): g is string => typeof g === 'string') : ['owners'];
        sendJson(res, 200, { token: await parts.auth.mint({ orgId, email, groups }), orgId, email, groups, clientId: LOCAL_CLIENT_ID, expiresIn: 3600 });
        return true;
      }
      case 'GET /_local/clock':
        sendJson(res, 200, { now: parts.clock.now().toISOString(), mode: parts.clock.mode, pending: parts.clock.pending() });
        return true;
      case 'POST /_local/clock': {
        const input = parseJson(body) as { advance?: unknown; set?: unknown } | undefined;
        if (input === undefined) return (bad(res, 'the body is not JSON'), true);
        let target: Date;
        try {
          if (typeof input.advance === 'string' && input.set === undefined) target = addIsoDuration(parts.clock.now(), input.advance);
          else if (typeof input.set === 'string' && input.advance === undefined && !Number.isNaN(Date.parse(input.set))) target = new Date(input.set);
          else return (bad(res, 'send { "advance": "P30D" } or { "set": "2027-01-01T00:00:00Z" }'), true);
        } catch (error) {
          return (bad(res, (error as Error).message), true);
        }
        if (target.getTime() < parts.clock.now().getTime()) {
          sendJson(res, 409, { error: { code: 'clock_backwards', message: `the clock is at ${parts.clock.now().toISOString()} and only moves forward`, details: [] } });
          return true;
        }
        const fired = await parts.clock.advanceTo(target);
        sendJson(res, 200, { now: parts.clock.now().toISOString(), fired });
        return true;
      }
      case 'POST /_local/settle':
        await settleAll(parts.stream, parts.stripe, parts.ses);
        sendJson(res, 200, { settled: true, stream: parts.stream.stats(), deadLetters: parts.stream.deadLetters() });
        return true;
      case 'GET /_local/stream':
        sendJson(res, 200, { stats: parts.stream.stats(), deadLetters: parts.stream.deadLetters() });
        return true;
      case 'GET /_local/emails': {
        // The mail worker sends from the table's stream: what was written so far is sent first.
        await parts.stream.settle();
        const to = url.searchParams.get('to') ?? undefined;
        sendJson(res, 200, { items: parts.ses.emails({ to }) });
        return true;
      }
      case 'GET /_local/schedules':
        sendJson(res, 200, { items: parts.scheduler.list(), deadLetters: parts.scheduler.deadLetters() });
        return true;
      case 'GET /_local/events': {
        // R-EVT-1: the domain events published so far (the stream is worked first), oldest first.
        await parts.stream.settle();
        const orgId = url.searchParams.get('orgId') ?? undefined;
        const type = url.searchParams.get('type') ?? undefined;
        if (type !== undefined && !(DOMAIN_EVENT_TYPES as readonly string[]).includes(type)) {
          return (bad(res, `type must be one of ${DOMAIN_EVENT_TYPES.join(', ')}`), true);
        }
        sendJson(res, 200, { items: parts.bus.list({ orgId, type }) });
        return true;
      }
      case 'GET /_local/executions':
        sendJson(res, 200, { items: parts.sfn.executions() });
        return true;
      case 'GET /_local/payments': {
        await settleAll(parts.stream, parts.stripe, parts.ses);
        sendJson(res, 200, paymentsView(parts.stripe, await parts.connections()));
        return true;
      }
      case 'GET /_local/gateway':
        sendJson(res, 200, { stripe: { apiBase: parts.stripe.apiBase, accounts: await parts.connections() } });
        return true;
      case 'GET /_local/cognito/.well-known/jwks.json':
        sendJson(res, 200, parts.auth.jwks());
        return true;
      default:
        return false;
    }
  };
}
