import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createTableFromTemplate } from '../../infra/local/table.js';
import type { Templates } from '../../infra/local/template.js';

/** Credentials and region the local engines accept; never real ones. */
export const LOCAL_AWS = {
  region: 'ca-central-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

let templates: Templates | undefined;
export function testTemplates(): Templates {
  templates ??= JSON.parse(readFileSync(inject('templatesPath'), 'utf8')) as Templates;
  return templates;
}

export function dynamodbClient(): DynamoDBClient {
  return new DynamoDBClient({ ...LOCAL_AWS, endpoint: inject('dynamodbEndpoint') });
}

/** A fresh table shaped exactly like the deployed one (from the synthesized template). */
export async function createTestTable(client: DynamoDBClient = dynamodbClient()): Promise<string> {
  const name = `relance-test-${randomUUID()}`;
  await createTableFromTemplate(client, testTemplates().stateful, name);
  return name;
}
