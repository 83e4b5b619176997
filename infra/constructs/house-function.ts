import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { BUNDLE_EXTERNALS, ESM_REQUIRE_BANNER, type FunctionName } from './bundling.js';
import { acknowledge } from './nag.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Writes the compiled console next to the console function's bundle (templates/console/build.ts). */
const consoleAppHook = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (inputDir: string, outputDir: string) => [`cd "${inputDir}" && npx tsx templates/console/build.ts "${outputDir}"`],
};

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
 * Every Relance function: Node.js 22 on arm64, one minified ESM bundle from
 * `functions/<name>.ts` with the SDK left to the runtime, source maps, a log group with a
 * retention, and a fixed name (`relance-<stage>-<name>`) so its ARN is known without a
 * reference cycle. `use…` methods grant access and set the matching variable in one call.
 */
export class HouseFunction extends Construct {
  readonly fn: NodejsFunction;
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
    this.fn = new NodejsFunction(this, 'Function', {
      functionName: this.functionName,
      description: props.description,
      entry: `${ROOT}functions/${props.name}.ts`,
      handler: 'handler',
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(15),
      ...(props.reservedConcurrency ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // R-OPS-5: X-Ray traces (Powertools Tracer in the handlers adds the SDK calls' segments).
      tracing: lambda.Tracing.ACTIVE,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        externalModules: BUNDLE_EXTERNALS,
        banner: ESM_REQUIRE_BANNER,
        // The console function serves the compiled console (issue 11): built into its assets.
        ...(props.name === 'console' ? { commandHooks: consoleAppHook } : {}),
      },
    });
    (this.fn.node.defaultChild as lambda.CfnFunction).addMetadata(FUNCTION_METADATA_KEY, props.name);
    // Item 8: cdk-nag findings every Relance function shares, and why they stay.
    acknowledge(this, 'AwsSolutions-L1', 'The runtime is pinned to nodejs22.x on purpose: the code, its tests and the local cloud run on Node 22 (package.json engines); moving is a deliberate upgrade.');
    acknowledge(this, 'Serverless-LambdaLatestVersion', 'The runtime is pinned to nodejs22.x on purpose (see AwsSolutions-L1).');
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
