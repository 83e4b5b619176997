import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';

/** A Lambda handler run in-process by the local cloud. */
export type LocalHandler = (event: any, context: Context) => Promise<unknown>;

export const LOCAL_REGION = 'ca-central-1';
export const LOCAL_ACCOUNT = '000000000000';

/** A Lambda context for in-process invocations (middy reads the remaining time). */
export function lambdaContext(functionName: string, timeoutMs = 60_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn(functionName),
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export function functionArn(name: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
}

/** Name → handler. Targets are addressed by function ARN (or bare name), as in AWS. */
export class LocalFunctions {
  private readonly handlers = new Map<string, LocalHandler>();

  register(name: string, handler: LocalHandler): this {
    this.handlers.set(name, handler);
    return this;
  }

  arnOf(name: string): string {
    if (!this.handlers.has(name)) throw new Error(`no local function ${name}`);
    return functionArn(name);
  }

  has(arnOrName: string): boolean {
    return this.handlers.has(nameOf(arnOrName));
  }

  /** Runs the handler with a Lambda context; throws what the handler throws. */
  async invoke(arnOrName: string, event: unknown): Promise<unknown> {
    const name = nameOf(arnOrName);
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`no local function ${name} (target ${arnOrName})`);
    return handler(event, lambdaContext(name));
  }
}

/** `arn:aws:lambda:r:a:function:name[:qualifier]` or `name` → `name`. */
export function nameOf(arnOrName: string): string {
  const parts = arnOrName.split(':');
  return parts.length >= 7 && parts[5] === 'function' ? parts[6]! : arnOrName;
}
