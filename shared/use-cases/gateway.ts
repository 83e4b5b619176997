import { ConcurrencyError, NotFoundError } from '../domain/errors.js';
import { type GatewayConnection, gatewayInput, modeOfKey, WEBHOOK_EVENTS } from '../domain/gateway.js';
import { ID_PATTERN, ORG_ID_PATTERN as ORG_ID } from '../domain/ids.js';
import { type Member, requireNotErased } from '../domain/member.js';
import { SYSTEM } from '../domain/timeline.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import type { CardSetupSession, GatewayEvent } from '../ports/payments.js';
import { WebhookRejectedError } from '../ports/payments.js';
import { type CardChange, committed, type Write } from '../ports/store.js';
import { type Caller, checkExpectedVersion } from './context.js';
import { commitChange, loadContext, MembershipChange, retryOnConflict } from './membership-change.js';
import { isSettled } from '../domain/payment.js';
import { isLateOutcome, outcomeOf, recordOutcome } from './payments.js';

type GatewayDeps = Pick<Deps, 'store' | 'clock' | 'payments' | 'gatewaySecrets' | 'config' | 'newId' | 'timers' | 'linkKeys'>;

/** What staff see of the connection (R-PAY-1): never a secret, only its last 4 characters. */
export interface GatewayView {
  provider: 'stripe';
  connected: boolean;
  mode: 'test' | 'live' | null;
  keyKind: 'secret' | 'restricted' | null;
  keyLast4: string | null;
  webhookSecretLast4: string | null;
  connectedAt: string | null;
  updatedAt: string | null;
  /** Where the organisation's Stripe webhook endpoint must point, and the events it must send. */
  webhook: { url: string; events: readonly string[] };
  version: number;
}

function viewOf(deps: Pick<Deps, 'config'>, orgId: string, c: GatewayConnection | null): GatewayView {
  return {
    provider: 'stripe',
    connected: c !== null,
    mode: c?.mode ?? null,
    keyKind: c?.keyKind ?? null,
    keyLast4: c?.keyLast4 ?? null,
    webhookSecretLast4: c?.webhookSecretLast4 ?? null,
    connectedAt: c?.connectedAt ?? null,
    updatedAt: c?.updatedAt ?? null,
    webhook: { url: webhookUrl(deps, orgId), events: WEBHOOK_EVENTS },
    version: c?.version ?? 0,
  };
}

export function webhookUrl(deps: Pick<Deps, 'config'>, orgId: string): string {
  return `${deps.config.PUBLIC_BASE_URL}/webhooks/stripe/${orgId}`;
}

export async function getGateway(deps: Pick<Deps, 'store' | 'config'>, caller: Caller): Promise<GatewayView> {
  return viewOf(deps, caller.orgId, await deps.store.getGateway(caller.orgId));
}

/**
 * Input: the caller, `{ secretKey, webhookSecret }`, the version read (optional).
 * Output: the connection as staff see it.
 * Steps: validate the shapes; ask Stripe whether the key works (a refused key changes nothing);
 * store both secrets encrypted (SSM SecureString); record mode and last 4 in the table.
 */
export async function putGateway(deps: GatewayDeps, caller: Caller, body: unknown, expectedVersion?: number): Promise<GatewayView> {
  const input = parseInput(gatewayInput, body);
  const existing = await deps.store.getGateway(caller.orgId);
  checkExpectedVersion('gateway', caller.orgId, existing?.version ?? 0, expectedVersion);
  await deps.payments.verifyKey(input.secretKey);
  await deps.gatewaySecrets.put(caller.orgId, { secretKey: input.secretKey, webhookSecret: input.webhookSecret });
  const now = deps.clock.now().toISOString();
  const connection: GatewayConnection = {
    orgId: caller.orgId,
    provider: 'stripe',
    mode: modeOfKey(input.secretKey),
    keyKind: input.secretKey.startsWith('rk_') ? 'restricted' : 'secret',
    keyLast4: input.secretKey.slice(-4),
    webhookSecretLast4: input.webhookSecret.slice(-4),
    connectedAt: existing?.connectedAt ?? now,
    updatedAt: now,
    version: existing?.version ?? 0,
  };
  await deps.store.commit([{ kind: 'gateway', value: connection }]);
  return viewOf(deps, caller.orgId, committed(connection));
}

/**
 * R-PAY-2: a hosted card page for the member (Stripe Checkout in setup mode). The card is saved
 * on the member when Stripe's webhook says the setup succeeded, not when the page returns.
 */
export async function startCardSetup(deps: GatewayDeps, caller: Caller, memberId: string): Promise<CardSetupSession> {
  const member = await deps.store.getMember(caller.orgId, memberId);
  if (!member) throw new NotFoundError('member', memberId);
  requireNotErased(member);
  const page = `${deps.config.PUBLIC_BASE_URL}/console/#/members/${memberId}`;
  return hostedCardSetup(deps, member, `${page}?card=saved`, `${page}?card=canceled`);
}

/** The gateway's hosted card page for a member (R-PAY-2, R-DUN-4); the card arrives by webhook. */
export async function hostedCardSetup(deps: Pick<GatewayDeps, 'payments' | 'store' | 'clock'>, member: Member, successUrl: string, cancelUrl: string): Promise<CardSetupSession> {
  const session = await deps.payments.startCardSetup({
    orgId: member.orgId,
    memberId: member.id,
    customerRef: member.customerRef ?? null,
    name: member.name,
    email: member.email,
    successUrl,
    cancelUrl,
  });
  if (member.customerRef !== session.customerRef) await keepCustomer(deps, member.orgId, member.id, session.customerRef);
  return session;
}

/**
 * R-DUN-4, R-DUN-7: written with the member when their card changes; the worker reads it from
 * the stream and pays their open invoices at once with the new card, and re-plans card notices.
 */
export function cardChange(deps: Pick<GatewayDeps, 'newId' | 'clock'>, member: Member, reason: CardChange['reason']): Write {
  return { kind: 'card_change', value: { id: deps.newId('crd'), orgId: member.orgId, memberId: member.id, gatewayRef: member.paymentMethod?.gatewayRef ?? null, reason, at: deps.clock.now().toISOString() } };
}

/** Remembers the member's gateway customer (made by the first card setup). */
async function keepCustomer(deps: Pick<GatewayDeps, 'store' | 'clock'>, orgId: string, memberId: string, customerRef: string): Promise<void> {
  await retryOnConflict(async () => {
    const member = await deps.store.getMember(orgId, memberId);
    if (!member || member.customerRef === customerRef) return;
    await deps.store.commit([{ kind: 'member', value: { ...member, customerRef, updatedAt: deps.clock.now().toISOString() } }]);
  });
}

export type WebhookOutcome = { status: 200; outcome: string } | { status: 400; outcome: string };

/**
 * R-PAY-4. Input: the organisation of the path, the raw body and its `Stripe-Signature`.
 * Output: 200 with what was done, or 400 (and nothing changed) when it is not the organisation's.
 * Steps: verify the signature with the organisation's secret; answer a known event id at once
 * (before asking Stripe anything);
 * act (every action is idempotent by itself, so a crash before the receipt is harmless); write
 * the receipt. Events may come in any order: an outcome never goes back on a later one.
 */
export async function receiveGatewayWebhook(deps: GatewayDeps, input: { orgId: string; payload: string; signature: string | undefined }): Promise<WebhookOutcome> {
  if (!ORG_ID.test(input.orgId)) return { status: 400, outcome: 'no such organisation' };
  if (!input.signature) return { status: 400, outcome: 'the Stripe-Signature header is missing' };
  let event: GatewayEvent;
  try {
    event = await deps.payments.readWebhook(
      { orgId: input.orgId, payload: input.payload, signature: input.signature, receivedAt: deps.clock.now() },
      async (eventId) => (await deps.store.getWebhookReceipt(input.orgId, eventId)) !== null,
    );
  } catch (error) {
    if (error instanceof WebhookRejectedError) return { status: 400, outcome: `rejected: ${error.message}` };
    throw error;
  }
  if (event.kind === 'duplicate') return { status: 200, outcome: 'duplicate' };
  // Nothing is done for an ignored event, so nothing is written either: a repeat is ignored again.
  if (event.kind === 'ignored') return { status: 200, outcome: `ignored: ${event.reason}` };
  const outcome = await act(deps, input.orgId, event);
  // An outcome the worker already recorded, or one still pending, changed nothing: a repeat
  // finds the same again, so no receipt is written for it (one write less for most charges).
  if (UNCHANGED.has(outcome)) return { status: 200, outcome };
  try {
    await deps.store.commit([
      { kind: 'webhook_receipt', value: { orgId: input.orgId, eventId: event.eventId, eventType: event.eventType, outcome, receivedAt: deps.clock.now().toISOString() } },
    ]);
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
  }
  return { status: 200, outcome };
}

/** What `act` answers when it changed nothing. */
const UNCHANGED = new Set(['already known', 'still processing']);

async function act(deps: GatewayDeps, orgId: string, event: GatewayEvent): Promise<string> {
  switch (event.kind) {
    case 'charge_outcome': {
      const outcome = outcomeOf(event.result);
      if (outcome === null) return 'still processing';
      return recordAttemptOutcome(deps, orgId, event.attempt.invoiceId, event.attempt.attemptId, outcome);
    }
    case 'refund_outcomes': {
      let recorded = 0;
      for (const o of event.outcomes) {
        const outcome = outcomeOf(o.result);
        if (outcome && (await recordAttemptOutcome(deps, orgId, o.attempt.invoiceId, o.attempt.attemptId, outcome)) === 'recorded') recorded++;
      }
      if (event.external.length > 0) {
        console.warn(JSON.stringify({ level: 'warn', msg: 'refund made outside Relance', orgId, refunds: event.external.map((r) => r.reference) }));
      }
      return `${recorded} refund outcome(s) recorded`;
    }
    case 'dispute':
      return recordDispute(deps, orgId, event);
    case 'card_saved':
    case 'card_updated':
    case 'card_removed':
      return updateCard(deps, orgId, event);
    case 'ignored':
      return `ignored: ${event.reason}`;
    case 'duplicate':
      return 'duplicate';
  }
}

/** Records what the gateway says of one attempt: 'recorded', 'already known' (the worker or an earlier event had it), or 'unknown attempt'. */
async function recordAttemptOutcome(deps: GatewayDeps, orgId: string, invoiceId: string, attemptId: string, outcome: NonNullable<ReturnType<typeof outcomeOf>>): Promise<string> {
  if (!ID_PATTERN.test(invoiceId) || !new RegExp(`^${invoiceId}\\.[cr][0-9]{1,6}$`).test(attemptId)) return 'unknown attempt';
  const invoice = await deps.store.getInvoice(orgId, invoiceId);
  if (!invoice) return 'unknown attempt';
  const ref = { orgId, membershipId: invoice.membershipId, id: attemptId };
  const attempt = await deps.store.getAttempt(ref);
  if (!attempt) return 'unknown attempt';
  // Most often the worker recorded it first: nothing more is read (issue 13).
  if (isSettled(attempt) && !isLateOutcome(attempt, outcome)) return 'already known';
  return (await recordOutcome(deps, ref, outcome)) ? 'recorded' : 'already known';
}

/** R-PAY-4: a dispute is recorded on its invoice and told to the organisation once. */
async function recordDispute(deps: GatewayDeps, orgId: string, event: Extract<GatewayEvent, { kind: 'dispute' }>): Promise<string> {
  if (!ID_PATTERN.test(event.attempt.invoiceId)) return 'unknown invoice';
  const stored = await deps.store.getInvoice(orgId, event.attempt.invoiceId);
  if (!stored) return 'unknown invoice';
  return retryOnConflict(async () => {
    const ctx = await loadContext(deps, orgId, stored.membershipId);
    const invoice = await deps.store.getInvoice(orgId, stored.id);
    if (!invoice) return 'unknown invoice';
    const d = event.dispute;
    const known = (invoice.disputes ?? []).find((x) => x.reference === d.reference);
    if (known && known.status === d.status) return 'dispute already recorded';
    const change = new MembershipChange(deps, ctx, SYSTEM);
    const now = change.now.toISOString();
    const entry = { reference: d.reference, paymentReference: d.paymentReference, amount: { amount: d.amount, currency: d.currency }, reason: d.reason, status: d.status, openedAt: known?.openedAt ?? now, updatedAt: now };
    const disputes = known ? (invoice.disputes ?? []).map((x) => (x.reference === d.reference ? entry : x)) : [...(invoice.disputes ?? []), entry];
    change.write({ kind: 'invoice', value: { ...invoice, disputes, updatedAt: now } });
    change.event(known ? 'dispute_updated' : 'dispute_opened', { invoiceId: invoice.id, reference: d.reference, paymentReference: d.paymentReference, amount: entry.amount, reason: d.reason, status: d.status });
    if (!known) {
      change.emailOrganisation('dispute_opened_org', {
        memberName: ctx.member.name,
        memberEmail: ctx.member.email,
        planName: ctx.plan.name,
        invoiceId: invoice.id,
        amount: entry.amount,
        reason: d.reason,
        disputeReference: d.reference,
        membershipUrl: change.membershipUrl(),
      });
    }
    await commitChange(deps, change, { skipPastReminders: true });
    return known ? 'dispute updated' : 'dispute recorded';
  });
}

/** R-PAY-2, R-PAY-4: the member's card as the gateway now has it. */
function updateCard(deps: GatewayDeps, orgId: string, event: Extract<GatewayEvent, { kind: 'card_saved' | 'card_updated' | 'card_removed' }>): Promise<string> {
  if (!ID_PATTERN.test(event.memberId)) return Promise.resolve('unknown member');
  return retryOnConflict(async () => {
    const member = await deps.store.getMember(orgId, event.memberId);
    if (!member) return 'unknown member';
    const now = deps.clock.now().toISOString();
    let next: Member;
    switch (event.kind) {
      case 'card_saved':
        if (member.paymentMethod?.gatewayRef === event.card.gatewayRef) return 'card already saved';
        // Events come in any order: a card saved since (by staff, by a later setup) stays.
        if (member.paymentMethod && member.paymentMethod.addedAt > event.createdAt) return 'a newer card is on file';
        next = { ...member, paymentMethod: { ...event.card, addedAt: now }, customerRef: event.card.customerRef };
        break;
      case 'card_updated': {
        const current = member.paymentMethod;
        if (current?.gatewayRef !== event.card.gatewayRef) return 'not the member’s current card';
        if (current.last4 === event.card.last4 && current.expMonth === event.card.expMonth && current.expYear === event.card.expYear && current.brand === event.card.brand) {
          return 'card unchanged';
        }
        next = { ...member, paymentMethod: { ...current, brand: event.card.brand, last4: event.card.last4, expMonth: event.card.expMonth, expYear: event.card.expYear } };
        break;
      }
      case 'card_removed':
        if (member.paymentMethod?.gatewayRef !== event.reference) return 'not the member’s current card';
        next = { ...member, paymentMethod: null };
        break;
    }
    const reason = event.kind === 'card_saved' ? 'saved' : event.kind === 'card_updated' ? 'updated' : 'removed';
    await deps.store.commit([{ kind: 'member', value: { ...next, updatedAt: now } }, cardChange(deps, next, reason)]);
    return event.kind === 'card_saved' ? 'card saved' : event.kind === 'card_updated' ? 'card updated' : 'card removed';
  });
}
