import type { CardLog, DunningRun, RunKind, RunState } from '../../../domain/dunning.js';
import type { CardChange } from '../../../ports/store.js';
import { invoicePk, type Item, memberPk } from './keys.js';

export const runKey = (orgId: string, invoiceId: string) => ({ pk: invoicePk(orgId, invoiceId), sk: 'RUN' });

/** Runs by state (gsi2), newest first: failed-payment runs are the dunning lists; offline-invoice runs have their own. */
export const runsByState = (orgId: string, kind: RunKind, state: RunState) => `ORG#${orgId}#${kind === 'failed_payment' ? 'DUN' : 'OFFLINE'}#${state}`;
/** A member's active runs (gsi1, sparse: a run leaves it when it ends), for a new card to pay them at once. */
export const activeRunsOfMember = (orgId: string, memberId: string) => `${memberPk(orgId, memberId)}#RUN`;

export const runItem = (r: DunningRun): Item => ({
  ...runKey(r.orgId, r.invoiceId),
  entity: 'dunning_run',
  gsi2pk: runsByState(r.orgId, r.kind, r.state),
  gsi2sk: `${r.startedAt}#${r.invoiceId}`,
  ...(r.state === 'active' ? { gsi1pk: activeRunsOfMember(r.orgId, r.memberId), gsi1sk: `${r.startedAt}#${r.invoiceId}` } : {}),
  ...r,
});

/** Card changes are kept a week: long enough for the stream to hand them to the worker. */
const CARD_CHANGE_DAYS = 7;

export const cardChangeItem = (c: CardChange): Item => ({
  pk: memberPk(c.orgId, c.memberId),
  sk: `CARDCHANGE#${c.at}#${c.id}`,
  entity: 'card_change',
  ...c,
  expiresAt: Math.floor(Date.parse(c.at) / 1000) + CARD_CHANGE_DAYS * 86_400,
});

export const cardLogKey = (orgId: string, memberId: string, card: string) => ({ pk: memberPk(orgId, memberId), sk: `CARDLOG#${card}` });

export const cardLogItem = (l: CardLog): Item => ({ ...cardLogKey(l.orgId, l.memberId, l.card), entity: 'card_log', ...l });
