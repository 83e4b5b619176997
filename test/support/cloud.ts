import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from '../../infra/local/cloud.js';
import { testTemplates } from './aws.js';

import type { LocalEmail } from '../../infra/local/ses.js';

/** A mail as tests read it: `to` holds the bare addresses; `toHeaders` the headers SES got, with names. */
export type Email = LocalEmail & { toHeaders: string[] };

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * A local cloud for one test file, driven only over HTTP as a user would: a frozen clock that
 * moves through POST /_local/clock, its own table in the run's DynamoDB Local.
 */
export class TestCloud {
  token = '';

  private constructor(
    readonly cloud: LocalCloud,
    private readonly orgId: string,
  ) {}

  static async start(options: { at: string; orgId?: string; seed?: boolean } & Pick<LocalCloudOptions, 'faults' | 'wrapPayments'>): Promise<TestCloud> {
    const cloud = await startLocalCloud({
      faults: options.faults,
      wrapPayments: options.wrapPayments,
      port: 0,
      clock: { start: new Date(options.at), mode: 'frozen' },
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      tableName: `relance-e2e-${randomUUID()}`,
      templates: testTemplates(),
      seed: options.seed ?? false,
    });
    const t = new TestCloud(cloud, options.orgId ?? 'e2e-club');
    await t.freshToken();
    return t;
  }

  /**
   * A file's cloud, started before its tests at `at` with the club's settings (SETTINGS) and
   * stopped after them: `const cloud = TestCloud.forFile('2027-01-15T15:00:00Z')`, then `cloud()`.
   */
  static forFile(at: string): () => TestCloud {
    let t: TestCloud | undefined;
    beforeAll(async () => {
      t = await TestCloud.start({ at });
      await t.ok('PUT', '/api/settings', SETTINGS);
    });
    afterAll(async () => {
      await t?.stop();
    });
    return () => t!;
  }

  get url(): string {
    return this.cloud.url;
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const response = await fetch(`${this.cloud.url}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      redirect: 'manual',
    });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  /** A token valid now on the local clock (tokens expire after an hour of clock time). */
  async freshToken(): Promise<string> {
    this.token = (await this.request('POST', '/_local/token', { orgId: this.orgId, email: 'sophie@club.example' })).body.token;
    return this.token;
  }

  /**
   * An admin API call (`path` starts with /api) with a fresh bearer token of the organisation.
   * After a call that may change something, the table's stream is worked (the charge the
   * decision wrote, its e-mails), as the deployed worker does within a second; a GET reads
   * what is there.
   */
  async api<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const reply = await this.request<T>(method, path, body, { authorization: `Bearer ${await this.freshToken()}`, ...headers });
    if (method !== 'GET') await this.settle();
    return reply;
  }

  /** Lets the worker take up everything written so far (POST /_local/settle). */
  async settle(): Promise<void> {
    await this.request('POST', '/_local/settle');
  }

  /** A member's link action (POST /l/…), then the worker's share of it. */
  async post<T = any>(path: string, body: string, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const reply = await this.request<T>('POST', path, body, { 'content-type': 'application/x-www-form-urlencoded', ...headers });
    await this.settle();
    return reply;
  }

  /** The admin API call must succeed; answers its body. */
  async ok<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const reply = await this.api<T>(method, path, body);
    if (reply.status >= 300) throw new Error(`${method} ${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body;
  }

  /**
   * Issue 13: a membership with the whole of its history, for tests that look back further than
   * the record's latest: the record read strongly (`?consistent=true`), and every page of its
   * terms, invoices, timeline and e-mails. Terms oldest first, the rest newest first, as the
   * record orders them.
   */
  async membership<T = any>(id: string | undefined): Promise<T> {
    const [record, terms, invoices, timeline, emails] = await Promise.all([
      this.ok('GET', `/api/memberships/${id}?consistent=true`),
      this.everyPage(`/api/memberships/${id}/terms`),
      this.everyPage(`/api/memberships/${id}/invoices`),
      this.everyPage(`/api/memberships/${id}/timeline`),
      this.everyPage(`/api/memberships/${id}/emails`),
    ]);
    return { ...record, terms: terms.reverse(), invoices, timeline, emails } as T;
  }

  /** Every item of a paged list, following its cursors. */
  async everyPage<T = any>(path: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: T[]; nextCursor: string | null } = await this.ok('GET', `${path}?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  async advance(duration: string): Promise<{ now: string; fired: { at: string; label: string; outcome: string; error?: string }[] }> {
    return (await this.request('POST', '/_local/clock', { advance: duration })).body;
  }

  async setClock(instant: string): Promise<{ now: string; fired: { at: string; label: string; outcome: string; error?: string }[] }> {
    const reply = await this.request('POST', '/_local/clock', { set: instant });
    if (reply.status !== 200) throw new Error(`clock: ${JSON.stringify(reply.body)}`);
    return reply.body;
  }

  /** The mail SES accepted, oldest first; `to` holds the bare addresses (the headers, with names, are in `toHeaders`). */
  async emails(to?: string): Promise<Email[]> {
    const items: LocalEmail[] = (await this.request('GET', `/_local/emails${to ? `?to=${encodeURIComponent(to)}` : ''}`)).body.items;
    return items.map((e) => ({ ...e, to: e.to.map(addressOf), toHeaders: e.to }));
  }

  async stop(): Promise<void> {
    await this.cloud.stop();
  }
}

export const SETTINGS = {
  name: 'Club de natation de Laval',
  mainContactEmail: 'admin@club.example',
  sender: { name: 'Sophie Gagnon', email: 'sophie@club.example' },
  replyTo: 'membres@club.example',
  timeZone: 'America/Toronto',
  locale: 'en',
  jurisdiction: 'QC',
};

/** The signed link in an e-mail body (`…/l/<token>`). */
export function linkIn(email: Email): string {
  const match = /https?:\/\/[^\s"'<>]+\/l\/[A-Za-z0-9._~%-]+/.exec(email.text);
  if (!match) throw new Error(`no signed link in e-mail "${email.subject}"`);
  return match[0];
}

/** `"Name" <a@b>` or `=?UTF-8?B?…?= <a@b>` → `a@b`. */
export function addressOf(mailbox: string): string {
  return /<([^<>]+)>\s*$/.exec(mailbox)?.[1] ?? mailbox;
}
