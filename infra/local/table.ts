import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { type CfnTemplate, singleResource } from './template.js';

type KeyElement = { AttributeName: string; KeyType: 'HASH' | 'RANGE' };

/**
 * Creates the table described by the stateful stack's `AWS::DynamoDB::GlobalTable` resource —
 * same keys, same indexes, same TTL attribute — under `tableName`. Creating it again is a no-op.
 */
export async function createTableFromTemplate(client: DynamoDBClient, template: CfnTemplate, tableName: string): Promise<void> {
  const { properties } = singleResource(template, 'AWS::DynamoDB::GlobalTable');
  const indexes = (properties.GlobalSecondaryIndexes as { IndexName: string; KeySchema: KeyElement[]; Projection: { ProjectionType: 'ALL' | 'KEYS_ONLY' } }[]) ?? [];
  const input: CreateTableCommandInput = {
    TableName: tableName,
    AttributeDefinitions: properties.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    KeySchema: properties.KeySchema as KeyElement[],
    BillingMode: 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: indexes.map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema, Projection: i.Projection })),
    ...(properties.StreamSpecification ? { StreamSpecification: { StreamEnabled: true, ...(properties.StreamSpecification as { StreamViewType: 'NEW_IMAGE' }) } } : {}),
  };
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if (error instanceof ResourceInUseException) return;
    throw error;
  }
  const ttl = properties.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
  if (ttl?.Enabled && ttl.AttributeName) {
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true } }));
  }
}
