import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { ANNUAL_PLAN_BODY, SETTINGS_BODY } from './fixtures.js';
import { routes } from '../../functions/handlers/api.js';
import { encodeCursor } from '../../shared/adapters/dynamodb/cursor.js';
import type { ApiEvent } from '../../shared/adapters/http/request.js';
import { GROUPS_CLAIM, ORG_CLAIM } from '../../shared/adapters/http/request.js';

/**
 * A seeded fuzzer for the admin API (SPEC §8): malformed requests for every route of
 * functions/handlers/api.ts — wrong methods, hostile path parameters, malformed or mistyped
 * JSON, bad If-Match, bad query strings and cursors, base64 bodies — each sent to `invoke` as
 * the API Gateway event it would be. The contract it checks: never a 5xx, and every 4xx carries
 * `{ error: { code, message, details } }` with a non-empty code and message.
 */
export interface FuzzRequest {
  /** What the request sets out to break, e.g. `path-param` or `body:mutated`. */
  kind: string;
  method: string;
  /** The raw (percent-encoded) path, as it would be on the wire. */
  path: string;
  /** Query parameters as API Gateway hands them over (repeated ones joined with commas). */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}

export interface FuzzResponse {
  request: FuzzRequest;
  status: number;
  body: string;
}

export interface FuzzReport {
  total: number;
  /** Responses by status code (`threw` when invoke itself threw: a 500 behind API Gateway). */
  byStatus: Record<string, number>;
  /** Requests answered with a 5xx or that made invoke throw. */
  serverErrors: FuzzResponse[];
  /** 4xx answers whose body is not the SPEC §8 error shape with a non-empty code and message. */
  badErrorBodies: FuzzResponse[];
}

export interface FuzzOptions {
  invoke: (event: ApiEvent) => Promise<APIGatewayProxyResultV2>;
  count: number;
  seed: number;
  /** The organisation of the token (default `org-fuzz`). */
  orgId?: string;
  /** Real ids by path parameter name (`memberId`, `planId`, `membershipId`, `invoiceId`): malformed bodies and queries are aimed at them. */
  ids?: Readonly<Record<string, string>>;
  /** Real cursors (a nextCursor of some list), replayed on every list. */
  cursors?: readonly string[];
}

/** The admin routes, read from the router of functions/handlers/api.ts. */
export function adminRoutes(): { method: string; template: string }[] {
  return routes.list();
}

const PREFIX_OF: Record<string, string> = { memberId: 'mbr', planId: 'pln', membershipId: 'ms', invoiceId: 'inv', reasonId: 'rsn', noticeId: 'ntc' };
/** A well-shaped id that names nothing stored. */
const ghostId = (prefix: string) => `${prefix}_${'7ZZZZZZZZZZZZZZZZZZZZZZZZZ'}`;

function fill(template: string, ids: Readonly<Record<string, string>>, override: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => override[name] ?? ids[name] ?? ghostId(PREFIX_OF[name] ?? 'xx'));
}

function paramsOf(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

const HUGE = 'x'.repeat(200_000);
const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

/** Path parameter values as sent on the wire (so `%` is a malformed escape, not a percent sign). */
function hostileParams(ids: Readonly<Record<string, string>>): fc.Arbitrary<string> {
  const otherIds = Object.entries(PREFIX_OF).map(([, prefix]) => ghostId(prefix));
  const real = Object.values(ids);
  return fc.oneof(
    fc.constantFrom(
      'a'.repeat(3000),
      `mbr_${'A'.repeat(3000)}`,
      `ms_${'0'.repeat(2100)}`,
      '%',
      '%00',
      '%zz',
      '%E0%A4%A',
      '%C0%AF',
      '%ED%A0%80',
      '%FF',
      '..',
      '.',
      '%2E%2E',
      '%2F',
      '..%2F..%2Fsettings',
      '%F0%9F%98%80',
      '😀',
      'ﬁ',
      'null',
      'undefined',
      '__proto__',
      'constructor',
      '{memberId}',
      "'%20OR%201=1",
      'mbr_01j0000000000000000000000a',
      'MBR_01J0000000000000000000000A',
      'mbr_01J0000000000000000000000I',
      'mbr_01J0000000000000000000000A%0A',
      'mbr_01J0000000000000000000000A%20',
      'mbr_01J0000000000000000000000AA',
      'mbr_01J000000000000000000000',
      'ORG%23other%23MBR%23x',
      ...otherIds,
      ...real,
    ),
    fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent).filter((s) => s.length > 0),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }).map((s) => s.replaceAll('/', '')).filter((s) => s.length > 0),
  );
}

/** JSON values of the wrong type or shape for any field. */
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    [],
    {},
    0,
    -1,
    1.5,
    1e308,
    -0,
    true,
    '',
    ' ',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e309',
    'null',
    'undefined',
    '__proto__',
    '\u0000',
    '\ud800',
    '😀'.repeat(100),
    '2027-02-30',
    '9999-99-99',
    '0000-00-00',
    'Mars/Olympus',
    'XXX',
    'pm_card_chargeDeclinedLostCard',
    'pm_card_authenticationRequired',
    'tok_4242424242424242',
    ghostId('ms'),
    `pln_${'A'.repeat(3000)}`,
    HUGE,
    [HUGE],
    { amount: Number.MAX_SAFE_INTEGER, currency: 'CAD' },
    { type: 'fixedDay', day: 0 },
    Array.from({ length: 1000 }, (_, i) => i),
  ),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.integer(),
  fc.double(),
);

/** Text that is not JSON, or JSON a schema cannot want. */
const rawBodies: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '{',
    '{"a":',
    'nul',
    "{'name': 'x'}",
    '[1,]',
    '{"a":1}}',
    '\u0000',
    ' ',
    'null',
    '[]',
    '0',
    '-1',
    '"x"',
    'true',
    '1e309',
    '"NaN"',
    '"Infinity"',
    '{}',
    '{"__proto__":{"isAdmin":true}}',
    '{"constructor":{"prototype":{"x":1}}}',
    '{"name":"a","name":"b"}',
    '\ufeff{}',
    deepArray(10_000),
    deepArray(100_000),
    deepObject(10_000),
    JSON.stringify({ name: HUGE }),
    JSON.stringify([HUGE]),
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
);

/** A valid body per route (for a mutation to break one field at a time). */
function validBodies(ids: Readonly<Record<string, string>>): Record<string, Record<string, unknown>> {
  const plan = { ...ANNUAL_PLAN_BODY, name: 'Annual' };
  return {
    'PUT /api/settings': { ...SETTINGS_BODY },
    'POST /api/plans': plan,
    'PUT /api/plans/{planId}': plan,
    'POST /api/members': { name: 'Léa Tremblay', email: 'lea@example.org', locale: 'fr-CA', communicationsOptIn: true, autoRenew: true, paymentMethod: { token: 'pm_card_visa' } },
    'PATCH /api/members/{memberId}': { autoRenew: false, intervention: { required: true, reason: 'called' } },
    'POST /api/memberships': { memberId: ids.memberId ?? ghostId('mbr'), planId: ids.planId ?? ghostId('pln'), startDate: '2027-01-15' },
    'PATCH /api/memberships/{membershipId}': { termEnd: '2027-12-31' },
    'POST /api/memberships/{membershipId}/cancel': { month: '2027-06' },
    'POST /api/memberships/{membershipId}/cancellation-request/confirm': { finalBillingDate: '2027-06-01' },
    'POST /api/memberships/{membershipId}/cancellation-request/decline': { reason: 'kept' },
    'POST /api/invoices/{invoiceId}/void': { refund: false },
    'POST /api/invoices/{invoiceId}/pay': { method: 'cheque', reference: 'Chèque 1042', paidOn: '2027-01-15' },
    'POST /api/refusal-reasons': { label: 'Cotisation impayée', labels: { 'fr-CA': 'Cotisation impayée', en: 'Unpaid dues' } },
    'PATCH /api/refusal-reasons/{reasonId}': { retired: true },
    'POST /api/renewals/bulk': { action: 'refuse', ids: [ghostId('ntc')], reasonId: ghostId('rsn'), note: 'moved away' },
    'PATCH /api/renewals/{noticeId}': { planId: ids.planId ?? ghostId('pln'), price: { amount: 19900, currency: 'CAD' } },
    'POST /api/renewals/{noticeId}/refuse': { reasonId: ghostId('rsn'), note: 'moved away' },
  };
}

/** Every dotted path into a JSON object, e.g. `billing.anchor.day`. */
function pathsOf(value: Record<string, unknown>, prefix: string[] = []): string[][] {
  return Object.entries(value).flatMap(([k, v]) => {
    const here = [...prefix, k];
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? [here, ...pathsOf(v as Record<string, unknown>, here)] : [here];
  });
}

function mutate(body: Record<string, unknown>, pick: number, op: 'drop' | 'replace' | 'add', value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  const paths = pathsOf(copy);
  const path = paths[pick % paths.length]!;
  let parent: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
  const last = path.at(-1)!;
  if (op === 'drop') delete parent[last];
  else if (op === 'replace') parent[last] = value;
  else parent[`${last}Extra`] = value;
  return copy;
}

/** Cursors that are not the nextCursor of the list they are sent to. */
function badCursors(orgId: string, ids: Readonly<Record<string, string>>, real: readonly string[]): fc.Arbitrary<string> {
  const b64 = (text: string) => Buffer.from(text).toString('base64url');
  const member = ids.memberId ?? ghostId('mbr');
  const ms = ids.membershipId ?? ghostId('ms');
  const inv = ids.invoiceId ?? ghostId('inv');
  const membersKey = { pk: `ORG#${orgId}#MBR#${member}`, sk: 'MEMBER', gsi1pk: `ORG#${orgId}#MEMBERS`, gsi1sk: member };
  const keys: Record<string, unknown>[] = [
    membersKey,
    { ...membersKey, pk: `ORG#other#MBR#${member}`, gsi1pk: 'ORG#other#MEMBERS' },
    { ...membersKey, pk: `ORG#other#MBR#${member}` },
    { ...membersKey, pk: `ORG#${orgId}#MBR#${ghostId('mbr')}` },
    { pk: `ORG#${orgId}#MS#${ms}`, sk: 'MEMBERSHIP', gsi1pk: `ORG#${orgId}#MBR#${member}#MS`, gsi1sk: ms },
    { pk: `ORG#${orgId}#MS#${ms}`, sk: 'MEMBERSHIP', gsi2pk: `ORG#${orgId}#MS#STATUS#active`, gsi2sk: `2027-01-15T15:00:00.000Z#${ms}` },
    { pk: `ORG#${orgId}#INV#${inv}`, sk: 'INVOICE', gsi2pk: `ORG#${orgId}#INV#STATUS#open`, gsi2sk: `2027-01-15#${inv}` },
    { ...membersKey, extra: 'x' },
    { pk: membersKey.pk, gsi1pk: membersKey.gsi1pk },
    { ...membersKey, sk: 1 },
    { ...membersKey, sk: { S: 'MEMBER' } },
    { ...membersKey, sk: '' },
    { ...membersKey, sk: null },
    { ...membersKey, gsi1sk: 'x'.repeat(3000) },
    { ...membersKey, pk: `ORG#${orgId}#${'y'.repeat(2100)}` },
    { ...membersKey, gsi1sk: '\ud800' },
  ];
  const canonical = encodeCursor(membersKey)!;
  return fc.oneof(
    fc.constantFrom(
      ...keys.map((k) => encodeCursor(k)!),
      ...real,
      b64('not json'),
      b64('null'),
      b64('[]'),
      b64('1'),
      b64('"s"'),
      b64('{"pk":"x"'),
      b64(`{"__proto__":"x",${JSON.stringify(membersKey).slice(1)}`),
      b64(deepArray(5000)),
      Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString('base64url'),
      `${canonical}=`,
      `${canonical}==`,
      canonical.replaceAll('-', '+').replaceAll('_', '/'),
      `${canonical}A`,
      canonical.slice(0, -1),
      'A'.repeat(3000),
      'A',
      '%',
      'null',
      `${canonical},${canonical}`,
    ),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }),
    fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 1, maxLength: 120 }),
  );
}

function arbitraries(options: Required<Pick<FuzzOptions, 'orgId' | 'ids' | 'cursors'>>): fc.Arbitrary<FuzzRequest> {
  const { ids, orgId, cursors } = options;
  const all = adminRoutes();
  const bodies = validBodies(ids);
  const withParams = all.filter((r) => r.template.includes('{'));
  const writes = all.filter((r) => r.method !== 'GET');
  const lists = all.filter((r) => r.method === 'GET');
  const templates = [...new Set(all.map((r) => r.template))];
  const methodsOf = (template: string) => new Set(all.filter((r) => r.template === template).map((r) => r.method));

  const wrongMethod = fc
    .record({
      template: fc.constantFrom(...templates),
      method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'get', 'FOO', ''),
    })
    .filter(({ template, method }) => !methodsOf(template).has(method))
    .map(({ template, method }): FuzzRequest => ({ kind: 'method', method, path: fill(template, ids), body: '{}' }));

  const badParam = fc
    .record({ route: fc.constantFrom(...withParams), value: hostileParams(ids), which: fc.nat(), body: fc.option(rawBodies, { nil: undefined }) })
    .map(({ route, value, which, body }): FuzzRequest => {
      const names = paramsOf(route.template);
      const name = names[which % names.length]!;
      return { kind: 'path-param', method: route.method, path: fill(route.template, ids, { [name]: value }), ...(route.method === 'GET' ? {} : { body: body ?? JSON.stringify(bodies[`${route.method} ${route.template}`] ?? {}) }) };
    });

  const unknownPath = fc
    .constantFrom(
      '/',
      '/api',
      '/api/',
      '/API/members',
      '/api//members',
      '/api/members/',
      '/api/members/%',
      `/api/members/${ids.memberId ?? ghostId('mbr')}/memberships/x`,
      `/api/memberships/${ids.membershipId ?? ghostId('ms')}/cancellation-request`,
      '/api/settings/..',
      '/api/plans/../settings',
      '/api/%2E%2E/settings',
      `/${'a/'.repeat(500)}`,
      '/api/renewals',
      '/api/renewals/bulk/x',
      '/api/dunning/summary',
      '/l/%',
    )
    .chain((path) => fc.constantFrom('GET', 'POST').map((method): FuzzRequest => ({ kind: 'unknown-path', method, path })));

  const jsonBody = fc.oneof(
    { weight: 3, arbitrary: rawBodies.map((body) => ({ kind: 'body:raw', body })) },
    { weight: 1, arbitrary: weirdValue.map((v) => ({ kind: 'body:wrong-type', body: JSON.stringify(v) ?? 'null' })) },
    { weight: 1, arbitrary: fc.constantFrom({ kind: 'body:missing', body: undefined }, { kind: 'body:empty', body: '' }) },
  );
  const badBody = fc
    .record({ route: fc.constantFrom(...writes), body: jsonBody, ifMatch: fc.option(fc.constantFrom('"1"', '"0"', '"2"'), { nil: undefined }) })
    .map(({ route, body, ifMatch }): FuzzRequest => ({
      kind: body.kind,
      method: route.method,
      path: fill(route.template, ids),
      ...(ifMatch ? { headers: { 'if-match': ifMatch } } : {}),
      ...(body.body === undefined ? {} : { body: body.body }),
    }));

  const mutatedRoutes = writes.filter((r) => bodies[`${r.method} ${r.template}`] !== undefined);
  const mutatedBody = fc
    .record({
      route: fc.constantFrom(...mutatedRoutes),
      pick: fc.nat(),
      op: fc.constantFrom('drop' as const, 'replace' as const, 'replace' as const, 'add' as const),
      value: weirdValue,
    })
    .map(({ route, pick, op, value }): FuzzRequest => ({
      kind: `body:mutated-${op}`,
      method: route.method,
      path: fill(route.template, ids),
      body: JSON.stringify(mutate(bodies[`${route.method} ${route.template}`]!, pick, op, value)),
    }));

  const badIfMatch = fc
    .record({
      route: fc.constantFrom(...writes.filter((r) => r.method === 'PUT' || r.method === 'PATCH')),
      ifMatch: fc.oneof(
        fc.constantFrom('', ' ', '*', '"-1"', '"1e3"', '"1.5"', 'W/"x"', 'W/"1"', '"99999999999999999999999"', `"${'9'.repeat(5000)}"`, '"3", "4"', '3', 'abc', '"\u0000"', '""'),
        fc.string({ unit: 'binary', maxLength: 30 }),
      ),
    })
    .map(({ route, ifMatch }): FuzzRequest => ({
      kind: 'if-match',
      method: route.method,
      path: fill(route.template, ids),
      headers: { 'if-match': ifMatch },
      body: JSON.stringify(bodies[`${route.method} ${route.template}`] ?? {}),
    }));

  const limits = fc.oneof(
    fc.constantFrom('-1', '0', '101', '1e309', '1e2', '1.5', '0x10', ' 5', '5 ', '5,6', 'NaN', 'Infinity', '', '99999999999999999999', '1'.repeat(400), '٣', '+5', '05'),
    fc.integer().map(String),
    fc.string({ unit: 'binary', maxLength: 10 }),
  );
  const statuses = fc.constantFrom('open', 'paid', 'active', 'voided', 'OPEN', '', 'open,paid', '__proto__', 'x'.repeat(3000));
  const badQuery = fc
    .record({
      route: fc.constantFrom(...lists),
      limit: fc.option(limits, { nil: undefined }),
      cursor: fc.option(badCursors(orgId, ids, cursors), { nil: undefined }),
      status: fc.option(statuses, { nil: undefined }),
      unknown: fc.option(fc.constantFrom('foo', 'limit[]', '__proto__', 'constructor', 'LIMIT', ''), { nil: undefined }),
      repeat: fc.boolean(),
    })
    .filter((q) => q.limit !== undefined || q.cursor !== undefined || q.unknown !== undefined || q.repeat)
    .map(({ route, limit, cursor, status, unknown, repeat }): FuzzRequest => {
      const query: Record<string, string> = {};
      if (limit !== undefined) query.limit = limit;
      if (cursor !== undefined) query.cursor = cursor;
      if (status !== undefined) query.status = status;
      if (unknown !== undefined) query[unknown] = '1';
      // API Gateway joins a repeated parameter's values with commas.
      if (repeat) query.limit = query.limit === undefined ? '10,20' : `${query.limit},${query.limit}`;
      return { kind: 'query', method: 'GET', path: fill(route.template, ids), query };
    });

  const base64Body = fc
    .record({
      route: fc.constantFrom(...writes),
      body: fc.oneof(
        rawBodies.map((t) => Buffer.from(t).toString('base64')),
        fc.constantFrom('!!!!', '====', 'e30', 'e30=', '%%%', Buffer.from([0xff, 0xfe, 0x00, 0x7b]).toString('base64')),
        fc.string({ unit: 'binary', maxLength: 60 }),
      ),
    })
    .map(({ route, body }): FuzzRequest => ({ kind: 'body:base64', method: route.method, path: fill(route.template, ids), body, isBase64Encoded: true }));

  return fc.oneof(
    { weight: 2, arbitrary: wrongMethod },
    { weight: 5, arbitrary: badParam },
    { weight: 1, arbitrary: unknownPath },
    { weight: 4, arbitrary: badBody },
    { weight: 5, arbitrary: mutatedBody },
    { weight: 2, arbitrary: badIfMatch },
    { weight: 4, arbitrary: badQuery },
    { weight: 1, arbitrary: base64Body },
  );
}

/** The API Gateway (payload 2.0, JWT authorizer) event for a request by an admin of `orgId`. */
export function apiEvent(request: Omit<FuzzRequest, 'kind'>, orgId: string, requestId = 'fuzz'): ApiEvent {
  const query = request.query;
  const at = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString: query ? Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&') : '',
    headers: { 'content-type': 'application/json', ...request.headers },
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'fuzz',
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: { sub: 'fuzz-admin', email: 'admin@club.example', [ORG_CLAIM]: orgId, [GROUPS_CLAIM]: '[owners]' }, scopes: [] },
      },
      domainName: 'fuzz.local',
      domainPrefix: 'fuzz',
      http: { method: request.method, path: request.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'fuzz' },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: at.toUTCString(),
      timeEpoch: at.getTime(),
    },
    ...(request.body === undefined ? {} : { body: request.body }),
    isBase64Encoded: request.isBase64Encoded ?? false,
  };
}

/** A Lambda result as API Gateway reads it: a bare string is a 200 with that body. */
export function statusAndBody(result: APIGatewayProxyResultV2): { status: number; body: string } {
  if (typeof result === 'string') return { status: 200, body: result };
  return { status: result.statusCode ?? 200, body: result.body ?? '' };
}

/** SPEC §8: `{ "error": { "code", "message", "details" } }`, code and message non-empty. */
export function isErrorBody(body: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  const error = (parsed as { error?: unknown } | null)?.error as { code?: unknown; message?: unknown; details?: unknown } | undefined;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof error.code === 'string' &&
    error.code.length > 0 &&
    typeof error.message === 'string' &&
    error.message.trim().length > 0 &&
    Array.isArray(error.details)
  );
}

/** The requests a seed generates, without sending them (same seed, same ids → same requests). */
export function fuzzRequests(options: Omit<FuzzOptions, 'invoke'>): FuzzRequest[] {
  const arb = arbitraries({ orgId: options.orgId ?? 'org-fuzz', ids: options.ids ?? {}, cursors: options.cursors ?? [] });
  return fc.sample(arb, { seed: options.seed, numRuns: options.count });
}

/** Sends `count` malformed requests one after the other and reports what came back. */
export async function fuzzAdminApi(options: FuzzOptions): Promise<FuzzReport> {
  const orgId = options.orgId ?? 'org-fuzz';
  const report: FuzzReport = { total: 0, byStatus: {}, serverErrors: [], badErrorBodies: [] };
  const requests = fuzzRequests(options);
  for (const [i, request] of requests.entries()) {
    let response: FuzzResponse;
    let label: string;
    try {
      const { status, body } = statusAndBody(await options.invoke(apiEvent(request, orgId, `fuzz-${options.seed}-${i}`)));
      response = { request, status, body };
      label = String(status);
    } catch (error) {
      response = { request, status: 500, body: `invoke threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` };
      label = 'threw';
    }
    report.total++;
    report.byStatus[label] = (report.byStatus[label] ?? 0) + 1;
    if (response.status >= 500) report.serverErrors.push(response);
    else if (response.status >= 400 && !isErrorBody(response.body)) report.badErrorBodies.push(response);
  }
  return report;
}

/** One line per request, short enough to print: method, path, query, body (each cut at 120 characters). */
export function describeRequest(r: FuzzRequest): string {
  const cut = (s: string) => (s.length > 120 ? `${s.slice(0, 120)}… (${s.length} chars)` : s);
  const query = r.query ? `?${cut(JSON.stringify(r.query))}` : '';
  const headers = r.headers ? ` headers=${cut(JSON.stringify(r.headers))}` : '';
  const body = r.body === undefined ? '' : ` body${r.isBase64Encoded ? '(base64)' : ''}=${cut(JSON.stringify(r.body))}`;
  return `[${r.kind}] ${r.method} ${cut(r.path)}${query}${headers}${body}`;
}
