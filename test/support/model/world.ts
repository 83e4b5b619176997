import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { dunningHandler } from '../../../functions/handlers/dunning.js';
import { feedbackHandler } from '../../../functions/handlers/feedback.js';
import { FUNCTION_METADATA_KEY } from '../../../infra/constructs/house-function.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../../infra/local/functions.js';
import { reservePort } from '../../../infra/local/net.js';
import { resolveStateMachines, startLocalStepFunctions } from '../../../infra/local/stepfunctions.js';
import { StepFunctionsWorkflows } from '../../../shared/adapters/stepfunctions/workflows.js';
import { timerHandler } from '../../../functions/handlers/timer.js';
import { workerHandler } from '../../../functions/handlers/worker.js';
import { LocalEventBus } from '../../../shared/adapters/eventbridge/local.js';
import { LocalClock } from '../../../infra/local/clock.js';
import { LocalFunctions } from '../../../infra/local/functions.js';
import { type LocalStream, startLocalStream, streamMappingFromTemplate } from '../../../infra/local/streams.js';
import { createTableFromTemplate } from '../../../infra/local/table.js';
import type { Templates } from '../../../infra/local/template.js';
import { documentClient, DynamoStore } from '../../../shared/adapters/dynamodb/store.js';
import { createServer, type Server } from 'node:http';
import { webhooksHandler } from '../../../functions/handlers/webhooks.js';
import { lambdaContext } from '../../../infra/local/functions.js';
import { readBody, toEvent, writeResult } from '../../../infra/local/front.js';
import { startTestStripe } from '../stripe.js';
import type { Config } from '../../../shared/config.js';
import type { Deps } from '../../../shared/deps.js';
import type { Invoice } from '../../../shared/domain/invoice.js';
import { newId } from '../../../shared/domain/ids.js';
import { generateLinkKeys, parseLinkKeys } from '../../../shared/domain/links.js';
import { emailRenderer } from '../../../templates/emails/render.js';
import { FakeScheduler, Faults, FaultySes, ModelGateway, type Random } from './fakes.js';

/**
 * One "world" for the model-based test: a fresh table shaped like the deployed one (stream
 * included) in the run's DynamoDB Local, the real stream poller driving the real worker, the
 * real handlers, and the fakes around them on one frozen clock. Many sequences run in one
 * world, each in its own organisation.
 */
export interface World {
  deps: Deps;
  clock: LocalClock;
  doc: DynamoDBDocumentClient;
  tableName: string;
  stream: LocalStream;
  scheduler: FakeScheduler;
  ses: FaultySes;
  gateway: ModelGateway;
  faults: Faults;
  /** R-EVT-1: the bus the worker publishes domain events on (what a deployed bus would carry). */
  bus: LocalEventBus;
  /** Connects a new organisation to an account of its own on the emulator, webhooks included. */
  connect(orgId: string): void;
  /** Moves the clock to `at`, firing every due schedule in time order and working the stream after each. */
  advanceTo(at: Date): Promise<void>;
  /** Works whatever is due now. */
  settle(): Promise<void>;
  /** Stops every running execution (a sequence's dunning runs end with its organisation). */
  stopExecutions(): Promise<void>;
  /** Every item of one kind in a membership's collection (attempts, e-mails), read by key. */
  collection<T>(orgId: string, membershipId: string, prefix: string): Promise<T[]>;
  /** Every invoice of a membership (its index). */
  invoicesOf(orgId: string, membershipId: string): Promise<Invoice[]>;
  stop(): Promise<void>;
}

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The deployed name of one of the stack's functions (the state machine invokes it by that name). */
function functionNameOf(templates: Templates, entry: string): string {
  for (const resource of Object.values(templates.stateless.Resources)) {
    if (resource.Type === 'AWS::Lambda::Function' && resource.Metadata?.[FUNCTION_METADATA_KEY] === entry) return String(resource.Properties?.FunctionName);
  }
  throw new Error(`the stateless template has no ${entry} function`);
}
const REGION = 'ca-central-1';

export async function createWorld(options: { ddb: DynamoDBClient; endpoint: string; templates: Templates; start: Date; random: Random; quiet?: boolean }): Promise<World> {
  const tableName = `relance-model-${randomUUID()}`;
  await createTableFromTemplate(options.ddb, options.templates.stateful, tableName);
  const clock = new LocalClock(options.start, 'frozen');
  const doc = documentClient(options.ddb);
  const faults = new Faults(options.random);
  const functions = new LocalFunctions();
  const store = new DynamoStore(doc, tableName);
  // The SDK gives up after 300 ms (a held answer is a timeout); the emulator holds one for 400 ms.
  const stripe = await startTestStripe(clock, { clientTimeoutMs: 300, timeoutMs: 400, webhookRetryDelaysMs: [200, 1_000, 5_000] });
  const gateway = new ModelGateway(stripe, faults);
  let deps!: Deps;
  const ses = new FaultySes(faults, clock, options.random, async (event) => {
    await functions.invoke('feedback', { source: 'aws.ses', 'detail-type': 'Email Sent', detail: event });
  });
  const scheduler = new FakeScheduler(clock, faults, (target, payload) => functions.invoke(target, payload));
  // The dunning ladder runs in the synthesized state machine on the local Step Functions, on the world's clock.
  const [dunningMachine] = resolveStateMachines(options.templates.stateless, { region: LOCAL_REGION, account: LOCAL_ACCOUNT });
  if (!dunningMachine) throw new Error('the stateless template has no state machine');
  const sfnPort = await reservePort();
  const sfnClient = new SFNClient({ region: REGION, credentials: CREDENTIALS, endpoint: `http://127.0.0.1:${sfnPort.port}` });
  const config: Config = {
    TABLE_NAME: tableName,
    SCHEDULER_GROUP_NAME: 'relance-model',
    TIMER_FUNCTION_ARN: 'timer',
    WORKER_FUNCTION_ARN: 'worker',
    SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/model',
    DUNNING_STATE_MACHINE_ARN: dunningMachine.arn,
    PUBLIC_BASE_URL: 'https://relance.example',
    GATEWAY_PARAMETER_PREFIX: '/relance/model/stripe',
    LINK_KEYS: generateLinkKeys(),
  };
  deps = {
    config,
    clock,
    store,
    timers: scheduler,
    mailer: ses,
    workflows: new StepFunctionsWorkflows(sfnClient, { dunning: dunningMachine.arn }),
    payments: stripe.gateway,
    gatewaySecrets: stripe.secrets,
    linkKeys: parseLinkKeys(config.LINK_KEYS!),
    newId: (prefix) => newId(prefix, clock.now()),
  };
  // The handlers log every step; thousands of sequences with faults would drown the output.
  const original = { info: console.info, warn: console.warn, error: console.error };
  if (options.quiet ?? true) console.info = console.warn = console.error = () => undefined;
  functions.register('timer', timerHandler(deps) as never);
  const bus = new LocalEventBus();
  functions.register('worker', workerHandler(deps, emailRenderer, bus) as never);
  functions.register('feedback', feedbackHandler(deps) as never);
  functions.register(functionNameOf(options.templates, 'dunning'), dunningHandler(deps) as never);
  const sfn = await startLocalStepFunctions({ clock, functions, template: options.templates.stateless, region: LOCAL_REGION, account: LOCAL_ACCOUNT, port: sfnPort });
  // Stripe's webhooks reach the webhook function as API Gateway would bring them.
  const webhooks = webhooksHandler(deps);
  const receiver: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const event = toEvent(req, body, { routeKey: 'POST /webhooks/stripe/{orgId}', params: {} }, clock.now(), null);
      writeResult(res, await webhooks(event, lambdaContext('webhooks')));
    })().catch(() => {
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hooks = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/webhooks/stripe`;
  const mapping = { ...streamMappingFromTemplate(options.templates.stateless), functionName: 'worker' };
  const stream = await startLocalStream({
    ddb: options.ddb,
    tableName,
    endpoint: options.endpoint,
    region: REGION,
    credentials: CREDENTIALS,
    functions,
    mapping,
    clock,
    duplicate: () => faults.roll(faults.rates.duplicateStream, 'stream.duplicate'),
  });

  return {
    deps,
    clock,
    doc,
    tableName,
    stream,
    scheduler,
    ses,
    gateway,
    faults,
    bus,
    connect(orgId) {
      stripe.connect(orgId, `${hooks}/${orgId}`);
    },
    async advanceTo(at) {
      await clock.advanceTo(at);
    },
    async settle() {
      await stream.settle();
      await stripe.emulator.deliverWebhooks();
      await stream.settle();
      await clock.advanceTo(clock.now());
    },
    async stopExecutions() {
      for (const e of sfn.executions()) {
        if (e.status === 'RUNNING') await sfnClient.send(new StopExecutionCommand({ executionArn: e.executionArn, cause: 'the sequence ended' }));
      }
    },
    async collection<T>(orgId: string, membershipId: string, prefix: string) {
      const items: T[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :p)' : 'pk = :pk',
            ExpressionAttributeValues: prefix ? { ':pk': `ORG#${orgId}#MS#${membershipId}`, ':p': prefix } : { ':pk': `ORG#${orgId}#MS#${membershipId}` },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        items.push(...((out.Items ?? []) as T[]));
        start = out.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async invoicesOf(orgId: string, membershipId: string) {
      const out = await doc.send(
        new QueryCommand({ TableName: tableName, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': `ORG#${orgId}#MS#${membershipId}#INV` } }),
      );
      return (out.Items ?? []) as Invoice[];
    },
    async stop() {
      await stream.stop();
      await sfn.stop();
      await stripe.stop();
      await new Promise<void>((resolve) => {
        receiver.closeAllConnections();
        receiver.close(() => resolve());
      });
      await clock.stop();
      Object.assign(console, original);
      // In-memory DynamoDB Local slows down as tables pile up: a world leaves nothing behind.
      await options.ddb.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    },
  };
}
