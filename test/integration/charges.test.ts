import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient, DynamoStore } from '../../shared/adapters/dynamodb/store.js';
import { SimulatedGateway } from '../../shared/adapters/payments/simulated.js';
import { newId } from '../../shared/domain/ids.js';
import { generateLinkKeys, parseLinkKeys } from '../../shared/domain/links.js';
import type { Member } from '../../shared/domain/member.js';
import { startMembership } from '../../shared/domain/membership.js';
import type { Plan } from '../../shared/domain/plan.js';
import type { Settings } from '../../shared/domain/settings.js';
import type { Deps } from '../../shared/deps.js';
import type { MembershipRecord } from '../../shared/ports/store.js';
import { chargeStoredInvoice } from '../../shared/use-cases/charges.js';
import { createTestTable, dynamodbClient } from '../support/aws.js';

/**
 * A DynamoDB store whose membership read lags behind its writes for invoices, as a GSI may in
 * AWS (DynamoDB Local's indexes are never behind, so the lag is made here).
 */
class LaggingIndexStore extends DynamoStore {
  override async getMembershipRecord(orgId: string, id: string): Promise<MembershipRecord | null> {
    const record = await super.getMembershipRecord(orgId, id);
    return record && { ...record, invoices: [] };
  }
}

const ORG = 'org-charges';
const now = new Date('2027-01-15T15:00:00Z');
let deps: Deps;
let store: DynamoStore;

beforeAll(async () => {
  const client = dynamodbClient();
  const table = await createTestTable(client);
  const doc = documentClient(client);
  store = new LaggingIndexStore(doc, table);
  const clock = { now: () => now };
  deps = {
    config: { TABLE_NAME: table, SCHEDULER_GROUP_NAME: 'g', TIMER_FUNCTION_ARN: 'arn', SCHEDULER_ROLE_ARN: 'arn', DUNNING_STATE_MACHINE_ARN: 'arn', PUBLIC_BASE_URL: 'https://relance.example', PAYMENT_GATEWAY: 'simulated', LINK_KEYS: '{}' },
    clock,
    store,
    timers: { arm: async () => undefined, disarm: async () => undefined },
    mailer: { send: async () => ({ messageId: 'm' }) },
    workflows: { start: async () => ({ executionArn: 'arn' }) },
    payments: new SimulatedGateway(doc, table, clock),
    linkKeys: parseLinkKeys(generateLinkKeys()),
    newId: (prefix) => newId(prefix, now),
  };
});

describe('charging a stored invoice', () => {
  it('R-BIL-1: charges a new invoice even while the membership\'s invoice index has not caught up', async () => {
    const stamp = { version: 0, createdAt: now.toISOString(), updatedAt: now.toISOString() };
    const settings: Settings = { orgId: ORG, name: 'Club', mainContactEmail: 'a@club.example', sender: { name: 'S', email: 's@club.example' }, replyTo: 'm@club.example', timeZone: 'America/Toronto', locale: 'en', jurisdiction: 'ON', version: 0, updatedAt: stamp.updatedAt };
    const plan: Plan = { id: 'pln_1', orgId: ORG, name: 'Annual', price: { amount: 12000, currency: 'CAD' }, termMonths: 12, billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } }, cancellation: { memberMode: 'immediate' }, dunning: { retryDays: [3], finalAction: 'cancel', fallbackPlanId: null }, cardExpiryNoticeDays: 14, ...stamp };
    const card = await deps.payments.savePaymentMethod({ customerRef: 'mbr_1', token: 'pm_card_visa' });
    const member: Member = { id: 'mbr_1', orgId: ORG, name: 'Léa', email: 'lea@example.org', locale: null, communicationsOptIn: false, autoRenew: false, intervention: { required: false, reason: null }, paymentMethod: { ...card, addedAt: stamp.createdAt }, ...stamp };
    const started = startMembership({ id: newId('ms', now), invoiceId: newId('inv', now), orgId: ORG, memberId: member.id, plan, startDate: '2027-01-15', today: '2027-01-15', now });
    await store.commit([
      { kind: 'settings', value: settings },
      { kind: 'plan', value: plan },
      { kind: 'member', value: member },
      { kind: 'membership', value: started.membership },
      { kind: 'invoice', value: started.invoice! },
    ]);

    const charged = await chargeStoredInvoice(deps, { type: 'system', id: 'test' }, started.invoice!, 1);

    expect(charged).toMatchObject({ id: started.invoice!.id, status: 'paid', attempts: 1 });
    expect(await store.getInvoice(ORG, started.invoice!.id)).toMatchObject({ status: 'paid' });
  });
});
