import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Item 8: acknowledges one cdk-nag finding on a construct (and everything under it), with the
 * reason next to the resource. `rule` is the rule id as cdk-nag names it (`AwsSolutions-IAM5`,
 * `Serverless-LambdaTracing`), optionally narrowed to one finding (`AwsSolutions-IAM5[Resource::…]`).
 */
export function acknowledge(scope: IConstruct, rule: string, reason: string): void {
  const pack = rule.startsWith('Serverless-') ? 'Serverless' : 'AwsSolutions';
  Validations.of(scope).acknowledge({ id: `${pack}::${rule}`, reason });
}
