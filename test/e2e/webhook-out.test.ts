import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors.js';
import type { DomainEvent } from '../../shared/domain/events.js';
import { checkWebhookUrl } from '../../shared/use-cases/webhooks-out.js';
import { SETTINGS, TestCloud } from '../support/cloud.js';

/**
 * R-EVT-1: the organisation's outbound webhook of domain events, end to end through the local
 * cloud: a receiver HTTP server on 127.0.0.1 gets every domain event once, signed per the
 * Standard Webhooks scheme (verified here with the secret PUT answered), a delivery answered 500
 * is tried again by its retry schedule with the same `webhook-id`, nothing is delivered after
 * DELETE, only owners manage it (R-CON-5), and the secret appears in no GET nor any log line.
 */
const START = '2027-01-15T15:00:00Z';
const ORG = 'e2e-club';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

let t: TestCloud;
let receiver: Server;
let receiverUrl = '';
const received: Received[] = [];
/** Statuses the receiver answers next (then `otherwise`). */
const answers: number[] = [];
let otherwise = 200;
/** Requests that followed a redirect (none may). */
let redirected = 0;
let duplicates = 0;
const logged: string[] = [];
const secrets: string[] = [];
const LEVELS = ['log', 'info', 'warn', 'error', 'debug'] as const;
const originals = new Map<(typeof LEVELS)[number], (...args: unknown[]) => void>();

beforeAll(async () => {
  // Every log line of the local cloud's functions (they run in this process). Replaced by hand:
  // the config's restoreMocks would undo a vi.spyOn after the first test.
  for (const level of LEVELS) {
    const original = console[level];
    originals.set(level, original);
    console[level] = (...args: unknown[]) => {
      logged.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      original.apply(console, args);
    };
  }
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url !== '/hooks/relance') {
        redirected++;
        res.writeHead(200).end();
        return;
      }
      const answered = answers.shift() ?? otherwise;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
      const location = answered >= 300 && answered < 400 ? { location: '/elsewhere' } : {};
      res.writeHead(answered, { 'content-type': 'text/plain', ...location }).end(answered < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/relance`;
  // Every stream batch is delivered twice (the duplicate-delivery fault): "once" must hold under redelivery.
  t = await TestCloud.start({
    at: START,
    orgId: ORG,
    faults: {
      duplicateStreamBatch: () => {
        duplicates++;
        return true;
      },
    },
  });
  await t.ok('PUT', '/api/settings', SETTINGS);
});
afterAll(async () => {
  await t?.stop();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  for (const [level, original] of originals) console[level] = original;
});

async function as(groups: string[], method: string, path: string, body?: unknown) {
  const token = (await t.request('POST', '/_local/token', { orgId: ORG, email: 'marie@club.example', groups })).body.token as string;
  return t.request(method, path, body, { authorization: `Bearer ${token}` });
}

/** Standard Webhooks verification, as a receiver does it: HMAC-SHA256 keyed by the base64 after `whsec_`. */
function verify(secret: string, r: Received): boolean {
  const id = String(r.headers['webhook-id']);
  const timestamp = String(r.headers['webhook-timestamp']);
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${r.body}`).digest();
  return String(r.headers['webhook-signature'] ?? '')
    .split(' ')
    .some((sig) => {
      const [version, value] = sig.split(',');
      const given = Buffer.from(value ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

/** The delivery record of one event (its membership's partition). */
async function deliveryOf(event: DomainEvent) {
  return t.cloud.deps.store.getWebhookDelivery({ orgId: ORG, membershipId: (event.data as { membershipId: string }).membershipId, id: event.id });
}

async function publishedEvents(): Promise<DomainEvent[]> {
  return (await t.request('GET', `/_local/events?orgId=${ORG}`)).body.items as DomainEvent[];
}

let planId = '';
let n = 0;
/** A member buys a monthly plan with a card: membership.started, invoice.issued, invoice.paid. */
async function buy(): Promise<string> {
  if (!planId) {
    planId = (
      await t.ok('POST', '/api/plans', {
        name: 'Monthly pass',
        price: { amount: 4000, currency: 'CAD' },
        termMonths: 1,
        billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
        renewal: { policy: 'automatic', reminderDays: [] },
      })
    ).id;
  }
  n++;
  const m = await t.ok('POST', '/api/members', { name: `Member ${n}`, email: `hook${n}@example.org`, locale: 'en', paymentMethod: { token: 'pm_card_visa' } });
  const ms = await t.ok('POST', '/api/memberships', { memberId: m.id, planId });
  await t.settle();
  return ms.id as string;
}

describe('R-EVT-1: the per-organisation webhook of domain events', () => {
  it('R-EVT-1, R-CON-5: only owners manage the webhook; staff get 403 on every route', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/webhook'],
      ['PUT', '/api/webhook', { url: receiverUrl }],
      ['DELETE', '/api/webhook'],
      ['POST', '/api/webhook/rotate'],
    ] as const) {
      const reply = await as(['staff'], method, path, body);
      expect(reply.status, `${method} ${path}`).toBe(403);
    }
    expect((await as(['owners'], 'GET', '/api/webhook')).status).toBe(404);
  });

  it('R-EVT-1: a URL that is not https is refused with a 400 naming `url` (plain http only to a loopback receiver, and only where the local flag allows it)', async () => {
    for (const url of ['http://hooks.example.org/relance', 'ftp://hooks.example.org/', 'https://127.0.0.1/x', 'https://169.254.169.254/latest', 'https://10.1.2.3/x', 'https://user:pw@hooks.example.org/', 'not a url']) {
      const reply = await t.api('PUT', '/api/webhook', { url });
      expect(reply.status, url).toBe(400);
      expect(reply.body.error.details.map((d: { field?: string }) => d.field), url).toContain('url');
    }
    expect((await t.api('PUT', '/api/webhook', {})).status).toBe(400);
    // Outside the local cloud (no WEBHOOK_ALLOW_HTTP): http is refused even to 127.0.0.1; https to a public host passes.
    expect(() => checkWebhookUrl({}, receiverUrl)).toThrow(ValidationError);
    expect(() => checkWebhookUrl({}, 'http://localhost:8080/x')).toThrow(/url: must be an https URL/);
    expect(checkWebhookUrl({}, 'https://hooks.example.org/relance?k=1')).toBe('https://hooks.example.org/relance?k=1');
    expect(checkWebhookUrl({ WEBHOOK_ALLOW_HTTP: 'loopback' }, receiverUrl)).toBe(receiverUrl);
    expect((await t.api('GET', '/api/webhook')).status).toBe(404);
  });

  it('R-EVT-1: PUT answers a whsec_ secret (24+ random bytes) once; GET shows the URL, createdAt and the last 4 characters only', async () => {
    const put = await t.api('PUT', '/api/webhook', { url: receiverUrl });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ url: receiverUrl, createdAt: START.replace('Z', '.000Z') });
    const secret = put.body.secret as string;
    secrets.push(secret);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    const get = await t.api('GET', '/api/webhook');
    expect(get.status).toBe(200);
    expect(get.body).toEqual({ url: receiverUrl, createdAt: put.body.createdAt, secretHint: secret.slice(-4) });
    expect(JSON.stringify(get.body)).not.toContain(secret.slice(6, 20));
  });

  it('R-EVT-1: every domain event reaches the receiver once, as its envelope, with a valid Standard Webhooks signature and webhook-id = the event id', async () => {
    const before = received.length;
    const membershipId = await buy();
    const events = (await publishedEvents()).filter((e) => (e.data as { membershipId: string }).membershipId === membershipId);
    expect(events.map((e) => e.type)).toEqual(['membership.started', 'invoice.issued', 'invoice.paid']);
    const got = received.slice(before);
    expect(got.map((r) => r.headers['webhook-id']).sort()).toEqual(events.map((e) => e.id).sort());
    for (const r of got) {
      expect(r.answered).toBe(200);
      expect(r.headers['content-type']).toBe('application/json');
      expect(verify(secrets[0]!, r), `signature of ${String(r.headers['webhook-id'])}`).toBe(true);
      // A tampered body does not verify: the check above can fail.
      expect(verify(secrets[0]!, { ...r, body: r.body.replace('"version":1', '"version":2') })).toBe(false);
      expect(Number(r.headers['webhook-timestamp'])).toBe(Math.floor(Date.parse(START) / 1000));
      const envelope = JSON.parse(r.body) as DomainEvent;
      expect(envelope).toEqual(events.find((e) => e.id === envelope.id));
    }
    // Working the stream again delivers nothing more; every stream batch was delivered twice.
    await t.settle();
    expect(received.length).toBe(before + 3);
    expect(duplicates).toBeGreaterThan(0);
    for (const e of events) expect(await deliveryOf(e)).toMatchObject({ status: 'delivered', tries: 1, lastError: null });
  });

  it('R-EVT-1: a delivery the receiver answered 500 is tried again by its retry schedule with the SAME webhook-id, then not again', async () => {
    const before = received.length;
    answers.push(500);
    const membershipId = await buy();
    const events = (await publishedEvents()).filter((e) => (e.data as { membershipId: string }).membershipId === membershipId);
    const first = received.slice(before);
    expect(first).toHaveLength(3);
    expect(first[0]!.answered).toBe(500);
    const failedId = String(first[0]!.headers['webhook-id']);
    expect(events.map((e) => e.id)).toContain(failedId);
    // The retry is a schedule (backoff: 1 minute after the first try).
    await t.advance('PT2M');
    await t.settle();
    const retried = received.slice(before + 3);
    expect(retried.map((r) => r.headers['webhook-id'])).toEqual([failedId]);
    expect(retried[0]!.answered).toBe(200);
    expect(verify(secrets[0]!, retried[0]!)).toBe(true);
    expect(retried[0]!.body).toBe(first[0]!.body);
    expect(Number(retried[0]!.headers['webhook-timestamp'])).toBeGreaterThan(Number(first[0]!.headers['webhook-timestamp']));
    await t.advance('PT30M');
    await t.settle();
    expect(received.length).toBe(before + 4);
    expect(await deliveryOf(events.find((e) => e.id === failedId)!)).toMatchObject({ status: 'delivered', tries: 2 });
  });

  it('R-EVT-1: a redirect is never followed: the delivery is tried again later, at the registered URL', async () => {
    const before = received.length;
    answers.push(302);
    const membershipId = await buy();
    expect(received.slice(before).map((r) => r.answered)).toEqual([302, 200, 200]);
    const id = String(received[before]!.headers['webhook-id']);
    const event = (await publishedEvents()).find((e) => e.id === id)!;
    expect((event.data as { membershipId: string }).membershipId).toBe(membershipId);
    expect(await deliveryOf(event)).toMatchObject({ status: 'pending', lastError: 'redirect 302 (not followed)' });
    await t.advance('PT2M');
    expect(redirected).toBe(0);
    expect(received.slice(before + 3).map((r) => [r.headers['webhook-id'], r.answered])).toEqual([[id, 200]]);
    expect(await deliveryOf(event)).toMatchObject({ status: 'delivered' });
  });

  it('R-EVT-1: a receiver that keeps failing gets each event again with backoff for 24 hours, then the delivery is `failed` on its record', async () => {
    const before = received.length;
    otherwise = 503;
    try {
      await buy();
      await t.advance('P2D');
      await t.settle();
    } finally {
      otherwise = 200;
    }
    const got = received.slice(before);
    const ids = [...new Set(got.map((r) => String(r.headers['webhook-id'])))];
    expect(ids).toHaveLength(3);
    for (const id of ids) {
      const tries = got.filter((r) => r.headers['webhook-id'] === id);
      const stamps = tries.map((r) => Number(r.headers['webhook-timestamp']));
      // 1, 2, 5, 15, 30, 60 minutes, then every 6 hours, while within 24 hours of the first try.
      expect(tries).toHaveLength(10);
      expect(stamps.at(-1)! - stamps[0]!).toBeLessThanOrEqual(24 * 3600);
      expect(stamps[1]! - stamps[0]!).toBe(60);
      for (const r of tries) expect(verify(secrets[0]!, r)).toBe(true);
      const event = (await publishedEvents()).find((e) => e.id === id)!;
      expect(await deliveryOf(event)).toMatchObject({ status: 'failed', tries: 10, lastError: 'HTTP 503' });
    }
    // Nothing more once failed.
    await t.advance('P1D');
    expect(received.length).toBe(before + 30);
  });

  it('R-EVT-1: a rotated secret signs the next deliveries; the old one no longer verifies', async () => {
    const rotated = await t.api('POST', '/api/webhook/rotate');
    expect(rotated.status).toBe(200);
    const secret = rotated.body.secret as string;
    secrets.push(secret);
    expect(secret).not.toBe(secrets[0]);
    expect((await t.api('GET', '/api/webhook')).body.secretHint).toBe(secret.slice(-4));
    const before = received.length;
    await buy();
    const got = received.slice(before);
    expect(got).toHaveLength(3);
    for (const r of got) {
      expect(verify(secret, r)).toBe(true);
      expect(verify(secrets[0]!, r)).toBe(false);
    }
  });

  it('R-EVT-1: nothing is delivered after DELETE, not even a retry already scheduled', async () => {
    const before = received.length;
    answers.push(500);
    await buy();
    expect(received.length).toBe(before + 3);
    const del = await t.api('DELETE', '/api/webhook');
    expect(del.status).toBe(204);
    expect((await t.api('GET', '/api/webhook')).status).toBe(404);
    await t.advance('PT10M');
    await buy();
    await t.advance('PT10M');
    await t.settle();
    expect(received.length).toBe(before + 3);
    const cancelled = (await publishedEvents()).find((e) => e.id === received[before]!.headers['webhook-id'])!;
    expect(await deliveryOf(cancelled)).toMatchObject({ status: 'cancelled', lastError: 'the webhook was removed' });
    // Deleting again is harmless.
    expect((await t.api('DELETE', '/api/webhook')).status).toBe(204);
  });

  it('R-EVT-1: no secret appears in any log line of the run', () => {
    // The capture works: the worker's lines about deliveries are there.
    expect(logged.some((line) => line.includes('webhook not delivered yet'))).toBe(true);
    expect(secrets).toHaveLength(2);
    for (const secret of secrets) {
      const hit = logged.find((line) => line.includes(secret) || line.includes(secret.slice(6)));
      expect(hit).toBeUndefined();
    }
  });
});
