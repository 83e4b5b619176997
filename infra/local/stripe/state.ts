/**
 * What the emulator keeps per Stripe account (objects, what Stripe knows about cards, saved
 * idempotent answers, happenings still to come), and its optional copy on disk so `npm start
 * --persist` finds its Stripe data again.
 */

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { testCard, type TestCard } from './cards.js';
import type { Metadata, StoredObject } from './types.js';
import type { WebhookEndpoint } from './webhooks.js';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random base62 characters (ids, keys, secrets). */
export function base62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** What Stripe knows about a payment method beyond the object: the card behind it and its history. */
export interface PaymentMethodState {
  card: TestCard;
  /** Set up for off-session use through a SetupIntent (Checkout in setup mode). */
  setUpOffSession: boolean;
  /** Detached, or used without a customer: Stripe refuses to use it again. */
  spent: boolean;
}

/** Something Stripe does by itself a moment after a request: a refund failing, a dispute opening. */
export type FollowUp = { kind: 'refund_failure'; refundId: string } | { kind: 'dispute'; chargeId: string };

/** The first answer to an `Idempotency-Key`, replayed for 24 h. */
export interface SavedAnswer {
  method: string;
  path: string;
  params: string;
  status: number;
  body: string;
  requestId: string;
  savedAtMs: number;
}

export interface Account {
  accountId: string;
  secretKey: string;
  endpoint: WebhookEndpoint | null;
  /** Every object of the account by id, in creation order. */
  objects: Map<string, StoredObject>;
  /** The same objects by kind (`object`), in creation order (not saved: rebuilt on load). */
  byKind: Map<string, Map<string, StoredObject>>;
  paymentMethods: Map<string, PaymentMethodState>;
  /** The `return_url` a PaymentIntent was last confirmed with. */
  returnUrls: Map<string, string | null>;
  /** `setup_intent_data[metadata]` of each Checkout Session, for the SetupIntent made when it completes. */
  setupMetadata: Map<string, Metadata>;
  idempotency: Map<string, SavedAnswer>;
  followUps: FollowUp[];
  /** Keys the card fingerprints: stable per card within the account, different across accounts. */
  fingerprintSalt: string;
}

export function newAccount(): Account {
  return {
    accountId: `acct_${base62(16)}`,
    secretKey: `sk_test_${base62(24)}`,
    endpoint: null,
    objects: new Map(),
    byKind: new Map(),
    paymentMethods: new Map(),
    returnUrls: new Map(),
    setupMetadata: new Map(),
    idempotency: new Map(),
    followUps: [],
    fingerprintSalt: base62(16),
  };
}

interface PersistedAccount {
  accountId: string;
  secretKey: string;
  endpoint: WebhookEndpoint | null;
  objects: StoredObject[];
  paymentMethods: [string, { token: string; setUpOffSession: boolean; spent: boolean }][];
  returnUrls: [string, string | null][];
  setupMetadata: [string, Metadata][];
  idempotency: [string, SavedAnswer][];
  followUps: FollowUp[];
  fingerprintSalt: string;
}

interface Persisted {
  apiBase: string;
  accounts: PersistedAccount[];
}

function indexByKind(objects: StoredObject[]): Map<string, Map<string, StoredObject>> {
  const byKind = new Map<string, Map<string, StoredObject>>();
  for (const o of objects) {
    const kind = byKind.get(o.object) ?? new Map<string, StoredObject>();
    kind.set(o.id, o);
    byKind.set(o.object, kind);
  }
  return byKind;
}

/** Writes every account to `file` (atomically: a temporary file, then a rename). */
export function saveAccounts(file: string, apiBase: string, accounts: Iterable<Account>): void {
  const data: Persisted = {
    apiBase,
    accounts: [...accounts].map((a) => ({
      accountId: a.accountId,
      secretKey: a.secretKey,
      endpoint: a.endpoint,
      objects: [...a.objects.values()],
      paymentMethods: [...a.paymentMethods].map(([id, s]) => [id, { token: s.card.token, setUpOffSession: s.setUpOffSession, spent: s.spent }]),
      returnUrls: [...a.returnUrls],
      setupMetadata: [...a.setupMetadata],
      idempotency: [...a.idempotency],
      followUps: a.followUps,
      fingerprintSalt: a.fingerprintSalt,
    })),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(data), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** The accounts saved in `file`, with the base URL they were saved under; null when there is no file. */
export function loadAccounts(file: string): { apiBase: string; accounts: Account[] } | null {
  if (!existsSync(file)) return null;
  const data = JSON.parse(readFileSync(file, 'utf8')) as Persisted;
  const accounts = data.accounts.map(
    (a): Account => ({
      accountId: a.accountId,
      secretKey: a.secretKey,
      endpoint: a.endpoint,
      objects: new Map(a.objects.map((o) => [o.id, o])),
      byKind: indexByKind(a.objects),
      paymentMethods: new Map(
        a.paymentMethods.map(([id, s]) => {
          const card = testCard(s.token);
          if (!card) throw new Error(`${file}: unknown test card ${s.token}`);
          return [id, { card, setUpOffSession: s.setUpOffSession, spent: s.spent }];
        }),
      ),
      returnUrls: new Map(a.returnUrls),
      setupMetadata: new Map(a.setupMetadata),
      idempotency: new Map(a.idempotency),
      followUps: a.followUps,
      fingerprintSalt: a.fingerprintSalt,
    }),
  );
  return { apiBase: data.apiBase, accounts };
}
