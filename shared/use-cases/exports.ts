import * as z from 'zod';
import { addDays, startOfLocalDay } from '../domain/calendar.js';
import { minorUnits } from '../domain/currency.js';
import { ValidationError } from '../domain/errors.js';
import { INVOICE_STATUSES, type Invoice } from '../domain/invoice.js';
import type { Member } from '../domain/member.js';
import { MEMBERSHIP_STATUSES, type Membership } from '../domain/membership.js';
import { localDate } from '../domain/schema.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import type { Page, PageRequest } from '../ports/store.js';
import { type Caller, requireSettings } from './context.js';

/**
 * R-PRV-2: CSV exports of members, memberships and invoices for a period.
 *
 * The period is two calendar dates, both included, in the organisation's time zone:
 * - members: created in the period (gsi1, the member id is a ULID: a key range);
 * - memberships: changed in the period (created, renewed, cancelled, terminated…: their latest
 *   change; gsi2 by status, a key range per status), each with its state now;
 * - invoices: due in the period (gsi2 by status, `<dueDate>#<id>`: a key range per status); an
 *   invoice is due on or after the day it is issued, the same day for most.
 *
 * One request answers at most `limit` rows (default and maximum EXPORT_MAX_ROWS): a few Queries
 * with `Limit`, never a Scan. When rows remain, the answer names the next request in
 * `x-next-cursor` and a `Link: <…>; rel="next"` header.
 *
 * RFC 4180 text (CRLF, fields quoted when they hold a comma, quote or line break, quotes doubled),
 * UTF-8 with a BOM so that Excel reads accents right, and safe from formula injection: a text cell
 * starting with = + - @, a tab or a carriage return is prefixed with an apostrophe (OWASP's advice).
 * Money in major units with its currency in the next column; instants in ISO 8601 UTC, dates as
 * YYYY-MM-DD.
 */
export const EXPORT_MAX_ROWS = 500;
export const EXPORT_KINDS = ['members', 'memberships', 'invoices'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

const exportQuery = z
  .strictObject({
    from: localDate,
    to: localDate,
    cursor: z.string().min(1).max(2100).optional(),
    limit: z.coerce.number().int().min(1).max(EXPORT_MAX_ROWS).default(EXPORT_MAX_ROWS),
  })
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] });

export interface CsvExport {
  filename: string;
  body: string;
  rows: number;
  nextCursor: string | null;
}

type Cell = string | number | boolean | null | undefined;
/** A cell that is a number the export formats itself: never text, never escaped. */
class Numeric {
  constructor(readonly text: string) {}
}

const FORMULA = /^[=+\-@\t\r]/;

export function csvCell(value: Cell | Numeric): string {
  if (value instanceof Numeric) return value.text;
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csv(header: readonly string[], rows: readonly (readonly (Cell | Numeric)[])[]): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map((c) => csvCell(c)).join(',')).join('\r\n')}\r\n`;
}

function money(amount: number, currency: string): Numeric {
  const digits = minorUnits(currency);
  return new Numeric((amount / 10 ** digits).toFixed(digits));
}

/** The composite cursor: which status partition, and the store's cursor inside it. */
interface Position {
  s: number;
  c: string | null;
}

function decodePosition(cursor: string | undefined, partitions: number): Position {
  if (cursor === undefined) return { s: 0, c: null };
  const bad = () => new ValidationError('cursor is not valid for this export', [{ field: 'cursor', message: 'use the x-next-cursor of the previous answer' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const shape = z.strictObject({ s: z.number().int().min(0).max(partitions - 1), c: z.string().min(1).max(2048).nullable() }).safeParse(parsed);
  if (!shape.success) throw bad();
  return shape.data;
}

const encodePosition = (p: Position) => Buffer.from(JSON.stringify(p)).toString('base64url');

/** Reads up to `limit` items across `partitions` in order, from `position`: one Query per partition page. */
async function collect<T>(
  partitions: number,
  position: Position,
  limit: number,
  read: (partition: number, page: PageRequest) => Promise<Page<T>>,
): Promise<{ items: T[]; next: Position | null }> {
  const items: T[] = [];
  let { s, c } = position;
  while (s < partitions) {
    const page = await read(s, { limit: limit - items.length, ...(c ? { cursor: c } : {}) });
    items.push(...page.items);
    if (page.nextCursor) {
      c = page.nextCursor;
      if (items.length >= limit) return { items, next: { s, c } };
    } else {
      s += 1;
      c = null;
      if (items.length >= limit) return { items, next: s < partitions ? { s, c: null } : null };
    }
  }
  return { items, next: null };
}

const MEMBER_HEADER = ['id', 'name', 'email', 'locale', 'communicationsOptIn', 'autoRenew', 'card', 'createdAt', 'updatedAt', 'erasedAt'] as const;
const memberRow = (m: Member) => [
  m.id,
  m.name,
  m.email,
  m.locale,
  m.communicationsOptIn,
  m.autoRenew,
  m.paymentMethod ? `${m.paymentMethod.brand} ${m.paymentMethod.last4}` : null,
  m.createdAt,
  m.updatedAt,
  m.erased?.at ?? null,
];

const MEMBERSHIP_HEADER = ['id', 'memberId', 'planId', 'status', 'startDate', 'termStart', 'termEnd', 'cadence', 'nextBillingDate', 'terminationDate', 'createdAt', 'updatedAt'] as const;
const membershipRow = (m: Membership) => [
  m.id,
  m.memberId,
  m.planId,
  m.status,
  m.startDate,
  m.currentTerm.start,
  m.currentTerm.end,
  m.billing.cadence,
  m.nextBillingDate,
  m.terminationDate,
  m.createdAt,
  m.updatedAt,
];

const INVOICE_HEADER = ['id', 'membershipId', 'memberId', 'status', 'description', 'amount', 'currency', 'periodStart', 'periodEnd', 'issueDate', 'dueDate', 'paidAt', 'refunded', 'createdAt'] as const;
const invoiceRow = (i: Invoice) => {
  const refunded = i.refunds.filter((r) => r.status === 'succeeded').reduce((sum, r) => sum + r.amount.amount, 0);
  return [
    i.id,
    i.membershipId,
    i.memberId,
    i.status,
    i.description,
    money(i.amount.amount, i.amount.currency),
    i.amount.currency,
    i.periodStart,
    i.periodEnd,
    i.issueDate,
    i.dueDate,
    i.payment?.paidAt ?? null,
    money(refunded, i.amount.currency),
    i.createdAt,
  ];
};

export async function exportCsv(deps: Pick<Deps, 'store'>, caller: Caller, kind: ExportKind, query: Record<string, string | undefined>): Promise<CsvExport> {
  const q = parseInput(exportQuery, query, 'query string');
  const settings = await requireSettings(deps, caller.orgId);
  // [from, to] in the organisation's days: [start of from, start of the day after to).
  const fromInstant = startOfLocalDay(q.from, settings.timeZone).toISOString();
  const toInstant = startOfLocalDay(addDays(q.to, 1), settings.timeZone).toISOString();
  const filename = `${kind}-${q.from}-${q.to}.csv`;
  const { store } = deps;
  const orgId = caller.orgId;
  const done = (header: readonly string[], rows: (Cell | Numeric)[][], next: Position | null): CsvExport => ({
    filename,
    body: csv(header, rows),
    rows: rows.length,
    nextCursor: next ? encodePosition(next) : null,
  });
  switch (kind) {
    case 'members': {
      const { items, next } = await collect(1, decodePosition(q.cursor, 1), q.limit, (_s, page) => store.membersCreatedBetween(orgId, fromInstant, toInstant, page));
      return done(MEMBER_HEADER, items.map(memberRow), next);
    }
    case 'memberships': {
      const n = MEMBERSHIP_STATUSES.length;
      const { items, next } = await collect(n, decodePosition(q.cursor, n), q.limit, (s, page) =>
        store.membershipsChangedBetween(orgId, MEMBERSHIP_STATUSES[s]!, fromInstant, toInstant, page),
      );
      return done(MEMBERSHIP_HEADER, items.map(membershipRow), next);
    }
    case 'invoices': {
      const n = INVOICE_STATUSES.length;
      const { items, next } = await collect(n, decodePosition(q.cursor, n), q.limit, (s, page) => store.invoicesDueBetween(orgId, INVOICE_STATUSES[s]!, q.from, q.to, page));
      return done(INVOICE_HEADER, items.map(invoiceRow), next);
    }
  }
}
