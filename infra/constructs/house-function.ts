import { ArnFormat, AssetHashType, DockerImage, Duration, type ILocalBundling, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type FunctionName, HANDLER_NODE_OPTIONS } from './bundling.js';
import { acknowledge } from './nag.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The function's asset: `bundling.ts` run in a child process writes `index.mjs`, its chunks and
 * source maps (and the compiled console for the console function) into the asset directory —
 * the layout the benchmark and the bundle tests build with the same function. (NodejsFunction
 * cannot split: it hands esbuild one `--outfile`.) The asset hash is the output's, so the source
 * tree is never fingerprinted, and a synthesis that skips bundling (the tests, the local cloud)
 * runs nothing.
 */
class HandlerBundler implements ILocalBundling {
  /** Part of the asset's cache key: two functions never share a bundle. */
  constructor(readonly functionName: FunctionName) {}

  tryBundle(outputDir: string): boolean {
    const run = spawnSync('npx', ['tsx', 'infra/constructs/bundling.ts', this.functionName, outputDir], { cwd: ROOT, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`bundling ${this.functionName} failed: ${run.error?.message ?? ''}${run.stderr}`);
    return true;
  }
}

function handlerCode(name: FunctionName): lambda.Code {
  return lambda.Code.fromAsset(ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    // Never pulled: the local bundling above either writes the asset or throws.
    bundling: { image: DockerImage.fromRegistry('dummy'), local: new HandlerBundler(name) },
  });
}

/** The CloudFormation metadata key naming the entry of a function (read by the local cloud). */
export const FUNCTION_METADATA_KEY = 'relance:function';

export interface HouseFunctionProps {
  name: FunctionName;
  stage: string;
  description: string;
  memorySize?: number;
  timeout?: Duration;
  /** Caps how many instances run at once (and reserves them). */
  reservedConcurrency?: number;
  logRetentionDays: number;
  environment?: Record<string, string>;
}

/**
 * Every Relance function: Node.js 24 on arm64, a minified ESM bundle of `functions/<name>.ts`
 * with the AWS SDK bundled and the clients a request may not need in chunks loaded on first use
 * (bundling.ts), source maps beside it (enabled by NODE_OPTIONS when needed), a log group with a retention, and a fixed name
 * (`relance-<stage>-<name>`) so its ARN is known without a reference cycle. `use…` methods grant
 * access and set the matching variable in one call.
 */
export class HouseFunction extends Construct {
  readonly fn: lambda.Function;
  readonly functionName: string;
  readonly reservedConcurrency?: number;

  constructor(scope: Construct, id: string, props: HouseFunctionProps) {
    super(scope, id);
    this.functionName = HouseFunction.functionNameOf(props.stage, props.name);
    this.reservedConcurrency = props.reservedConcurrency;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${this.functionName}`,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.fn = new lambda.Function(this, 'Function', {
      functionName: this.functionName,
      description: props.description,
      code: handlerCode(props.name),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(15),
      ...(props.reservedConcurrency ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // R-OPS-5: X-Ray traces (Powertools Tracer in the handlers adds the SDK calls' segments).
      tracing: lambda.Tracing.ACTIVE,
      environment: { ...(HANDLER_NODE_OPTIONS ? { NODE_OPTIONS: HANDLER_NODE_OPTIONS } : {}), ...props.environment },
    });
    (this.fn.node.defaultChild as lambda.CfnFunction).addMetadata(FUNCTION_METADATA_KEY, props.name);
    // Item 8: cdk-nag findings every Relance function shares, and why they stay.
    acknowledge(this, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'AWSLambdaBasicExecutionRole only lets the function write its own logs; the log group is created here with a retention.');
    acknowledge(this, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray (xray:PutTraceSegments, PutTelemetryRecords) has no resource-level permissions: tracing needs Resource "*".');
  }

  static functionNameOf(stage: string, name: FunctionName): string {
    return `relance-${stage}-${name}`;
  }

  static arnOf(scope: Construct, stage: string, name: FunctionName): string {
    return Stack.of(scope).formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: HouseFunction.functionNameOf(stage, name),
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  setEnv(values: Record<string, string>): this {
    for (const [key, value] of Object.entries(values)) this.fn.addEnvironment(key, value);
    return this;
  }

  allow(actions: string[], resources: string[]): this {
    this.fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources }));
    return this;
  }
}
