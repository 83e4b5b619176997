/**
 * Issue 13: moves the items of a deployment made before issue 13 to the new index layout.
 *
 *   npm run migrate -- --table <table name> [--region ca-central-1] [--dry-run]
 *
 * (the table's name is in the stateful stack's resources, `relance-<stage>-stateful`).
 *
 * Since issue 13 a membership is in gsi4 (its member's memberships) and gsi5 (by status, keys
 * only) instead of gsi1 and gsi2, and an invoice is in gsi5 instead of gsi2. An item moves on
 * its next write anyway; this moves the others at once, so that every list finds them. Deploy
 * first (the new code writes the new layout, and gsi5 must exist), then run this once.
 *
 * Each item is rewritten with the same version, on condition that the version did not change
 * (a change in between already moved it): running it twice, or while the stage is in use, is
 * safe. It scans the table — a one-off maintenance read, never a request path — with a page of
 * 100 items at a time.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { documentClient } from '../../shared/adapters/dynamodb/store.js';
import { invoiceItem } from '../../shared/adapters/dynamodb/entities/invoice.js';
import { type Item, valueOf } from '../../shared/adapters/dynamodb/entities/keys.js';
import { membershipItem } from '../../shared/adapters/dynamodb/entities/membership.js';
import type { Invoice } from '../../shared/domain/invoice.js';
import type { Membership } from '../../shared/domain/membership.js';

export interface MigrateReport {
  /** Items in the old layout found. */
  found: number;
  moved: number;
  /** Changed by someone else meanwhile (and so already moved). */
  skipped: number;
}

/** The item in the new layout, or null when it is already there. */
export function newLayout(item: Item): Item | null {
  if (item.gsi5pk !== undefined) return null;
  if (item.entity === 'membership') {
    const m = valueOf<Membership>(item);
    return membershipItem({ ...m, statusChangedAt: m.statusChangedAt ?? m.updatedAt });
  }
  if (item.entity === 'invoice') return invoiceItem(valueOf<Invoice>(item));
  return null;
}

export async function migrate(doc: DynamoDBDocumentClient, table: string, options: { dryRun?: boolean; log?: (line: string) => void } = {}): Promise<MigrateReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const report: MigrateReport = { found: 0, moved: 0, skipped: 0 };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: '(entity = :ms OR entity = :inv) AND attribute_not_exists(gsi5pk)',
        ExpressionAttributeValues: { ':ms': 'membership', ':inv': 'invoice' },
        ProjectionExpression: 'pk, sk',
        Limit: 100,
        ExclusiveStartKey: start,
      }),
    );
    for (const key of page.Items ?? []) {
      const { Item: item } = await doc.send(new GetCommand({ TableName: table, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }));
      const next = item && newLayout(item);
      if (!item || !next) continue;
      report.found += 1;
      if (options.dryRun) {
        log(`would move ${String(item.entity)} ${String(item.pk)}`);
        continue;
      }
      try {
        await doc.send(new PutCommand({ TableName: table, Item: next, ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': item.version } }));
        report.moved += 1;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        report.skipped += 1;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  log(`${options.dryRun ? 'dry run: ' : ''}${report.found} item(s) in the old layout, ${report.moved} moved, ${report.skipped} changed meanwhile (already moved)`);
  return report;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { table: { type: 'string' }, region: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } } });
  if (!values.table) {
    console.error('usage: npm run migrate -- --table <table name> [--region <region>] [--dry-run]');
    process.exit(2);
  }
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) {
    console.error('no region: pass --region <region> or set AWS_REGION');
    process.exit(2);
  }
  await migrate(documentClient(new DynamoDBClient({ region })), values.table, { dryRun: values['dry-run'] });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
