import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { type BillingAnchor, type BillingSchedule, billingDateOnOrBefore, billingDatesBetween, terminationAfterFinalBilling, terminationForMonth } from '../../../../shared/domain/billing.js';
import { addDays, addMonthsClamped } from '../../../../shared/domain/calendar.js';
import { api, apiPath, getOrNull, type Page } from '../api.js';
import { Alert, Button, ErrorAlert, Facts, Field, Loaded, PageHeader, Pager, StatusBadge, TableRegion, fieldError, useLoad } from '../components.js';
import { type Money, date, instant, locale, money, status as statusWord, t, tOr } from '../i18n.js';
import { href, setQuery, useLocation } from '../router.js';
import { Act, InvoiceTable, type InvoiceView, type MemberView, type Outcome, PayPanel, ResendPanel, VoidPanel, cardText, periodText } from './invoices.js';

/**
 * Memberships (issue 11): the organisation's memberships by status with their counts (R-CON-3;
 * pending cancellation requests are found under their status), and one membership with its
 * terms, invoices, timers, timeline and e-mails, and every admin action on it (R-CON-1), each
 * stating its dates and amounts before it is confirmed.
 */

const STATUSES = ['active', 'pending', 'past_due', 'cancellation_requested', 'cancel_scheduled', 'expired', 'terminated', 'voided'] as const;
type Status = (typeof STATUSES)[number];

interface MembershipView {
  id: string;
  memberId: string;
  planId: string;
  status: Status;
  startDate: string;
  started: boolean;
  billing: { price: Money; cadence: 'monthly' | 'upfront'; anchor: BillingAnchor; termMonths: number | null };
  termAnchor: { date: string; seq: number };
  currentTerm: { seq: number; start: string; end: string | null };
  nextBillingDate: string | null;
  terminationDate: string | null;
  renewal: { termSeq: number; confirmedAt: string } | null;
  cancellation: {
    by: 'admin' | 'member' | 'system';
    requestedAt: string;
    month: string | null;
    reason: string | null;
    decidedAt: string | null;
    decision: 'scheduled' | 'declined' | null;
    previousStatus: Status | null;
  } | null;
  timers: { kind: string; at: string; ref: string }[];
  lastInvoiceId: string | null;
  member?: { id: string; name: string } | null;
  version: number;
  updatedAt: string;
}

interface TimelineEvent {
  id: string;
  at: string;
  type: string;
  actor: { type: 'admin' | 'member' | 'system'; id: string };
  data: Record<string, unknown>;
}

interface EmailView {
  id: string;
  template: string;
  to: string[];
  subject: string | null;
  status: string;
  sentAt: string | null;
}

/** An e-mail's subject, or (before it is written, when sent) what kind of e-mail it is. */
function subjectOf(e: Pick<EmailView, 'subject' | 'template'>): string {
  return e.subject ?? tOr(`memberships.template.${e.template}`, e.template.replace(/_/g, ' '));
}

interface MembershipRecordView extends MembershipView {
  terms: { seq: number; start: string; end: string | null; status: string; invoiceId: string | null }[];
  invoices: InvoiceView[];
  timeline: TimelineEvent[];
  /** Issue 13: the record shows the latest of each list; these hold older ones. */
  more: { terms: boolean; invoices: boolean; timeline: boolean };
}

function termText(start: string, end: string | null): string {
  return periodText(start, end);
}

/** "June 2027" / "juin 2027" for a month `YYYY-MM`. */
function monthText(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y!, m! - 1, 1)));
}

function priceText(m: Pick<MembershipView, 'billing'>): string {
  return t(m.billing.cadence === 'monthly' ? 'memberships.pricePerMonth' : 'memberships.pricePerTerm', { amount: money(m.billing.price) });
}

/** The membership's billing calendar, as the API computes it (shared/domain/membership.ts billingScheduleOf). */
function scheduleOf(m: MembershipView): BillingSchedule {
  const { cadence, anchor, termMonths } = m.billing;
  return { cadence, anchor, startDate: cadence === 'upfront' ? m.termAnchor.date : m.startDate, termMonths: termMonths ?? undefined };
}

/** Plan names by id (one GET of the organisation's plans). */
async function planNames(): Promise<Map<string, string>> {
  const plans = (await api.get<{ items: { id: string; name: string }[] }>('/api/plans')).data.items;
  return new Map(plans.map((p) => [p.id, p.name]));
}

// ---- #/memberships --------------------------------------------------------------------------

export function MembershipsPage() {
  const { query } = useLocation();
  const raw = query.get('status') ?? '';
  const chosen: Status = (STATUSES as readonly string[]).includes(raw) ? (raw as Status) : 'active';
  const cursor = query.get('cursor');
  const counts = useLoad(async () => (await api.get<{ counts: Record<Status, number>; total: number }>('/api/memberships/counts')).data, []);
  const list = useLoad(async () => {
    const [page, plans] = await Promise.all([api.get<Page<MembershipView>>(apiPath(['memberships'], { status: chosen, cursor })), planNames()]);
    return { page: page.data, plans };
  }, [chosen, cursor]);
  const col = {
    member: t('memberships.col.member'),
    plan: t('memberships.col.plan'),
    status: t('memberships.col.status'),
    term: t('memberships.col.term'),
    next: t('memberships.col.nextBilling'),
  };
  const heading = statusWord('membership', chosen);
  return (
    <>
      <PageHeader title={t('memberships.title')} subtitle={counts.data ? t('memberships.total', { count: counts.data.total }) : undefined} />
      {counts.error !== undefined ? <ErrorAlert error={counts.error} /> : null}
      <nav aria-label={t('memberships.byStatus')}>
        <ul class="counts">
          {STATUSES.map((s) => (
            <li key={s}>
              <a href={href(['memberships'], { status: s })} aria-current={s === chosen ? 'true' : undefined}>
                <span>{statusWord('membership', s)}</span>
                {counts.data ? <span class="count">{counts.data.counts[s] ?? 0}</span> : null}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section class="card" aria-labelledby="memberships-list">
        <h2 id="memberships-list">{heading}</h2>
        <Loaded state={list.loading ? { ...list, data: undefined } : list}>
          {({ page, plans }) => (
            <>
              <TableRegion label={heading} empty={page.items.length === 0} columns={[col.member, col.plan, col.status, col.term, col.next, t('table.details')]}>
                <tbody>
                  {page.items.map((m) => (
                    <tr key={m.id}>
                      <td data-label={col.member}>
                        <a href={href(['members', m.memberId])}>{m.member?.name ?? t('memberships.memberUnknown')}</a>
                      </td>
                      <td data-label={col.plan}>{plans.get(m.planId) ?? t('memberships.planUnknown')}</td>
                      <td data-label={col.status}>
                        <StatusBadge kind="membership" value={m.status} />
                        {m.terminationDate ? <div class="muted">{t('memberships.endsOn', { date: date(m.terminationDate) })}</div> : null}
                      </td>
                      <td data-label={col.term}>{termText(m.currentTerm.start, m.currentTerm.end)}</td>
                      <td data-label={col.next}>{date(m.nextBillingDate)}</td>
                      <td data-label={t('table.details')}>
                        <a href={href(['memberships', m.id])}>
                          {t('memberships.open')}
                          <span class="visually-hidden"> {m.member?.name ?? ''}</span>
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </TableRegion>
              <Pager nextCursor={page.nextCursor} cursor={cursor} onPage={(c) => setQuery({ cursor: c })} />
            </>
          )}
        </Loaded>
      </section>
    </>
  );
}

// ---- #/memberships/{membershipId} -----------------------------------------------------------

interface MembershipData {
  m: MembershipRecordView;
  /** The first page of the membership's e-mails, newest first (they are not in the record). */
  emails: Page<EmailView>;
  etag: string | null;
  member: MemberView | null;
  planName: string | null;
}

export function MembershipPage({ membershipId }: { membershipId?: string }) {
  const id = membershipId ?? '';
  // After this page's own action, the reload reads strongly (`consistent=true`), so it shows the
  // change; opening the page reads eventually consistently, at half the cost (issue 13).
  const afterAction = useRef(false);
  const state = useLoad(async (): Promise<MembershipData> => {
    const consistent = afterAction.current ? 'true' : undefined;
    afterAction.current = false;
    const [answer, emails] = await Promise.all([
      api.get<MembershipRecordView>(apiPath(['memberships', id], { consistent })),
      api.get<Page<EmailView>>(apiPath(['memberships', id, 'emails'], { limit: '10' })),
    ]);
    const m = answer.data;
    const [member, plan] = await Promise.all([getOrNull<MemberView>(apiPath(['members', m.memberId])), getOrNull<{ name: string }>(apiPath(['plans', m.planId]))]);
    return { m, emails: emails.data, etag: answer.etag, member: member?.data ?? null, planName: plan?.data.name ?? null };
  }, [id]);
  const reload = () => {
    afterAction.current = true;
    state.reload();
  };
  const d = state.data;
  const title = d ? t('memberships.one', { plan: d.planName ?? t('memberships.planUnknown'), member: d.member?.name ?? t('memberships.memberUnknown') }) : t('memberships.oneTitle');
  return (
    <>
      <PageHeader title={title} subtitle={d ? <StatusBadge kind="membership" value={d.m.status} /> : undefined} />
      <Loaded state={state}>{(data) => <MembershipBody {...data} reload={reload} />}</Loaded>
    </>
  );
}

function MembershipBody({ m, emails: firstEmails, etag, member, planName, reload }: MembershipData & { reload: () => void }) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const invoices = useOlder(m.invoices, m.more.invoices, ['memberships', m.id, 'invoices'], (i) => i.id);
  const terms = useOlder(m.terms, m.more.terms, ['memberships', m.id, 'terms'], (x) => String(x.seq), { order: (a, b) => a.seq - b.seq });
  const timeline = useOlder(m.timeline, m.more.timeline, ['memberships', m.id, 'timeline'], (e) => e.id);
  const emails = useOlder(firstEmails.items, firstEmails.nextCursor !== null, ['memberships', m.id, 'emails'], (e) => e.id, { cursor: firstEmails.nextCursor });
  const act = { outcome, onOutcome: setOutcome, reload };
  const request = m.status === 'cancellation_requested' && m.cancellation?.decision === null ? m.cancellation : null;
  const lastInvoice = invoices.items.find((i) => i.id === m.lastInvoiceId);
  const cancellation = m.cancellation;
  return (
    <>
      {request ? (
        <Alert tone="warn" title={t('memberships.request.waiting', { at: instant(request.requestedAt) })}>
          {request.reason ? <p>{t('memberships.request.reason', { reason: request.reason })}</p> : <p>{t('memberships.request.noReason')}</p>}
        </Alert>
      ) : null}
      <section class="card" aria-labelledby="membership-facts">
        <h2 id="membership-facts">{t('memberships.facts')}</h2>
        <Facts
          items={[
            [t('memberships.field.status'), <StatusBadge kind="membership" value={m.status} />],
            [
              t('memberships.field.member'),
              <>
                <a href={href(['members', m.memberId])}>{member?.name ?? t('memberships.memberUnknown')}</a>
                {member ? <span class="muted"> {member.email}</span> : null}
              </>,
            ],
            [t('memberships.field.plan'), <a href={href(['plans', m.planId])}>{planName ?? t('memberships.planUnknown')}</a>],
            [t('memberships.field.price'), priceText(m)],
            [t('memberships.field.started'), date(m.startDate)],
            [t('memberships.field.term'), t('memberships.termNumbered', { seq: m.currentTerm.seq, period: termText(m.currentTerm.start, m.currentTerm.end) })],
            [t('memberships.field.nextBilling'), date(m.nextBillingDate)],
            [t('memberships.field.termination'), m.terminationDate ? date(m.terminationDate) : null],
            [t('memberships.field.renewal'), m.renewal && m.renewal.termSeq === m.currentTerm.seq ? t('memberships.renewalConfirmed', { at: instant(m.renewal.confirmedAt) }) : null],
            [
              t('memberships.field.cancellation'),
              cancellation
                ? t(`memberships.cancellation.${cancellation.decision ?? 'waiting'}`, {
                    by: t(`memberships.by.${cancellation.by}`),
                    at: instant(cancellation.requestedAt),
                  })
                : null,
            ],
            [t('memberships.field.card'), member ? (member.paymentMethod ? cardText(member.paymentMethod) : t('memberships.noCard')) : null],
            [t('memberships.field.updated'), instant(m.updatedAt)],
            [t('memberships.field.id'), <code class="small">{m.id}</code>],
          ]}
        />
      </section>
      <div class="action-grid">
        <ConfirmRequestPanel m={m} waiting={request !== null} {...act} />
        <DeclineRequestPanel m={m} waiting={request !== null} {...act} />
        <CancelPanel m={m} {...act} />
        <TermEndPanel m={m} etag={etag} {...act} />
        <PayPanel invoices={invoices.items} {...act} />
        <ResendPanel invoices={invoices.items} member={member} {...act} />
        <VoidPanel invoice={lastInvoice} membershipStatus={m.status} lastInvoiceId={m.lastInvoiceId} {...act} />
        <CardRequestPanel m={m} member={member} live={LIVE.has(m.status)} {...act} />
        <CardSetupPanel member={member} owed={invoices.items} live={LIVE.has(m.status)} {...act} />
      </div>
      <section class="card" aria-labelledby="membership-invoices">
        <h2 id="membership-invoices">{t('memberships.invoices')}</h2>
        <InvoiceTable invoices={invoices.items} label={t('memberships.invoices')} />
        {invoices.control}
      </section>
      <section class="card" aria-labelledby="membership-terms">
        <h2 id="membership-terms">{t('memberships.terms')}</h2>
        <TermsTable terms={terms.items} />
        {terms.control}
      </section>
      <section class="card" aria-labelledby="membership-timers">
        <h2 id="membership-timers">{t('memberships.timers')}</h2>
        <TimersTable timers={m.timers} />
      </section>
      <section class="card" aria-labelledby="membership-timeline">
        <h2 id="membership-timeline">{t('memberships.timeline')}</h2>
        <Timeline events={timeline.items} emails={emails.items} />
        {timeline.control}
      </section>
      <section class="card" aria-labelledby="membership-emails">
        <h2 id="membership-emails">{t('memberships.emails')}</h2>
        <EmailsTable emails={emails.items} />
        {emails.control}
      </section>
    </>
  );
}

const LIVE: ReadonlySet<string> = new Set(['active', 'pending', 'past_due', 'cancellation_requested', 'cancel_scheduled']);

interface ActProps {
  outcome: Outcome | null;
  onOutcome: (o: Outcome) => void;
  reload: () => void;
}

// ---- Actions --------------------------------------------------------------------------------

interface CancelPreview {
  month: string;
  terminationDate: string;
  lastBillingDate: string | null;
  previousTerminationDate: string | null;
  unchanged: boolean;
}

/**
 * The months an admin may cancel for (R-CAN-2), each with the last day it gives: from the
 * first billing date not yet invoiced, for two years; once a date is set, only earlier ones
 * (R-CAN-3). The API's preview has the last word.
 */
function cancellableMonths(m: MembershipView): { month: string; last: string }[] {
  if (m.nextBillingDate === null) return [];
  const schedule = scheduleOf(m);
  const months: { month: string; last: string }[] = [];
  for (let k = 0; k < 24; k++) {
    const month = addMonthsClamped(`${m.nextBillingDate.slice(0, 7)}-01`, k).slice(0, 7);
    const outcome = terminationForMonth(schedule, month, '0000-01-01', m.nextBillingDate);
    if (!('terminationDate' in outcome)) continue;
    if (m.terminationDate !== null && outcome.terminationDate >= m.terminationDate) break;
    months.push({ month, last: outcome.terminationDate });
  }
  return months;
}

const CANCELLABLE: ReadonlySet<string> = new Set(['pending', 'active', 'past_due', 'cancellation_requested', 'cancel_scheduled']);

/** R-CAN-2, R-CAN-3, R-CAN-4: cancel for a month, or move a set cancellation earlier. */
function CancelPanel({ m, ...act }: { m: MembershipView } & ActProps) {
  const months = CANCELLABLE.has(m.status) ? cancellableMonths(m) : [];
  const [month, setMonth] = useState('');
  const chosen = months.find((x) => x.month === month)?.month ?? months[0]?.month ?? '';
  const moving = m.terminationDate !== null;
  return (
    <Act
      {...act}
      id="cancel"
      offered={months.length > 0}
      tone="danger"
      title={t(moving ? 'memberships.cancel.moveTitle' : 'memberships.cancel.title')}
      description={moving ? t('memberships.cancel.moveText', { date: date(m.terminationDate) }) : t('memberships.cancel.text')}
      reviewLabel={t('memberships.cancel.review')}
      confirmLabel={t(moving ? 'memberships.cancel.moveConfirm' : 'memberships.cancel.confirm')}
      form={
        <Field label={t('memberships.cancel.month')} hint={t('memberships.cancel.monthHint')}>
          {(props) => (
            <select {...props} value={chosen} onChange={(e) => setMonth(e.currentTarget.value)}>
              {months.map((x) => (
                <option key={x.month} value={x.month}>
                  {t('memberships.cancel.monthOption', { month: monthText(x.month), date: date(x.last) })}
                </option>
              ))}
            </select>
          )}
        </Field>
      }
      preview={async () => {
        const p = (await api.get<CancelPreview>(apiPath(['memberships', m.id, 'cancel'], { month: chosen }))).data;
        return (
          <>
            {p.unchanged ? <Alert tone="info">{t('memberships.cancel.unchanged')}</Alert> : null}
            <Facts
              items={[
                [t('memberships.cancel.monthPicked'), monthText(p.month)],
                [t('memberships.cancel.lastDay'), date(p.terminationDate)],
                [
                  t('memberships.cancel.lastInvoice'),
                  p.lastBillingDate ? t('memberships.cancel.lastInvoiceOn', { date: date(p.lastBillingDate), amount: money(m.billing.price) }) : t('memberships.cancel.noMoreInvoice'),
                ],
                [t('memberships.cancel.replaces'), p.previousTerminationDate ? date(p.previousTerminationDate) : null],
              ]}
            />
            <p>{t('memberships.cancel.effect')}</p>
          </>
        );
      }}
      perform={async () => {
        const r = (await api.post<MembershipView>(apiPath(['memberships', m.id, 'cancel']), { month: chosen })).data;
        setMonth('');
        return t('memberships.cancel.done', { date: date(r.terminationDate) });
      }}
    />
  );
}

/**
 * The billing dates staff may pick as the last one billed when confirming a request (R-CAN-5):
 * from the current period's, for two years, each with the last day of access it gives.
 */
function finalBillingDates(m: MembershipView): { billing: string; last: string }[] {
  const schedule = scheduleOf(m);
  const lastInvoiced = m.nextBillingDate === null ? m.currentTerm.start : addDays(m.nextBillingDate, -1);
  const current = billingDateOnOrBefore(schedule, lastInvoiced) ?? m.currentTerm.start;
  return billingDatesBetween(schedule, current, addMonthsClamped(current, 24))
    .slice(0, 25)
    .map((billing) => ({ billing, last: terminationAfterFinalBilling(schedule, billing, billing) }));
}

/** R-CAN-5, R-CAN-8: confirm a member's request with the final billing date; the member is e-mailed. */
function ConfirmRequestPanel({ m, waiting, ...act }: { m: MembershipView; waiting: boolean } & ActProps) {
  const options = waiting ? finalBillingDates(m) : [];
  const [value, setValue] = useState('');
  const chosen = options.find((o) => o.billing === value) ?? options[0];
  const [apiError, setApiError] = useState<unknown>(undefined);
  return (
    <Act
      {...act}
      id="confirm-request"
      offered={options.length > 0}
      title={t('memberships.request.confirmTitle')}
      description={t('memberships.request.confirmText')}
      reviewLabel={t('memberships.request.reviewConfirm')}
      confirmLabel={t('memberships.request.confirm')}
      form={
        <Field label={t('memberships.request.finalBilling')} hint={t('memberships.request.finalBillingHint')} error={fieldError(apiError, 'finalBillingDate')}>
          {(props) => (
            <select {...props} value={chosen?.billing ?? ''} onChange={(e) => setValue(e.currentTarget.value)}>
              {options.map((o) => (
                <option key={o.billing} value={o.billing}>
                  {t('memberships.request.finalOption', { date: date(o.billing), last: date(o.last) })}
                </option>
              ))}
            </select>
          )}
        </Field>
      }
      preview={async () => (
        <>
          <Facts
            items={[
              [t('memberships.request.finalBilling'), date(chosen!.billing)],
              [t('memberships.request.billedThen'), priceText(m)],
              [t('memberships.cancel.lastDay'), date(chosen!.last)],
            ]}
          />
          <p>{t('memberships.request.confirmEffect')}</p>
        </>
      )}
      perform={async () => {
        try {
          setApiError(undefined);
          const r = (await api.post<MembershipView>(apiPath(['memberships', m.id, 'cancellation-request', 'confirm']), { finalBillingDate: chosen!.billing })).data;
          return t('memberships.request.confirmed', { date: date(r.terminationDate), billing: date(chosen!.billing) });
        } catch (e) {
          setApiError(e);
          throw e;
        }
      }}
    />
  );
}

/** R-CAN-5: decline a member's request; the membership goes on and the member is told (with the reason, if given). */
function DeclineRequestPanel({ m, waiting, ...act }: { m: MembershipView; waiting: boolean } & ActProps) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const back = m.cancellation?.previousStatus ?? 'active';
  return (
    <Act
      {...act}
      id="decline-request"
      offered={waiting}
      title={t('memberships.request.declineTitle')}
      description={t('memberships.request.declineText')}
      reviewLabel={t('memberships.request.reviewDecline')}
      confirmLabel={t('memberships.request.decline')}
      tone="danger"
      form={
        <Field label={t('memberships.request.declineReason')} optional hint={t('memberships.request.declineReasonHint')} error={error}>
          {(props) => <textarea {...props} rows={3} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
        </Field>
      }
      preview={async () => {
        const tooLong = reason.trim().length > 500;
        setError(tooLong ? t('memberships.request.tooLong') : undefined);
        if (tooLong) throw new Error(t('error.validation_failed'));
        return (
          <>
            <Facts
              items={[
                [t('memberships.request.statusAfter'), statusWord('membership', back)],
                [t('memberships.field.nextBilling'), date(m.nextBillingDate)],
                [t('memberships.request.declineReason'), reason.trim() || t('memberships.request.noReasonGiven')],
              ]}
            />
            <p>{t('memberships.request.declineEffect')}</p>
          </>
        );
      }}
      perform={async () => {
        const r = (await api.post<MembershipView>(apiPath(['memberships', m.id, 'cancellation-request', 'decline']), reason.trim() ? { reason: reason.trim() } : {})).data;
        return t('memberships.request.declined', { status: statusWord('membership', r.status) });
      }}
    />
  );
}

const TERM_CHANGEABLE: ReadonlySet<string> = new Set(['pending', 'active', 'past_due']);

/** R-REN-9: move the current term's end; its reminders are planned afresh (PATCH with If-Match). */
function TermEndPanel({ m, etag, ...act }: { m: MembershipView; etag: string | null } & ActProps) {
  const end = m.currentTerm.end;
  const offered = TERM_CHANGEABLE.has(m.status) && m.terminationDate === null && end !== null && m.renewal?.termSeq !== m.currentTerm.seq;
  const [value, setValue] = useState(end ?? '');
  const [error, setError] = useState<string | undefined>(undefined);
  const [apiError, setApiError] = useState<unknown>(undefined);
  return (
    <Act
      {...act}
      id="term-end"
      offered={offered}
      title={t('memberships.termEnd.title')}
      description={t('memberships.termEnd.text', { date: date(end) })}
      reviewLabel={t('memberships.termEnd.review')}
      confirmLabel={t('memberships.termEnd.confirm')}
      form={
        <Field label={t('memberships.termEnd.field')} hint={t('memberships.termEnd.hint', { date: date(m.currentTerm.start) })} error={error ?? fieldError(apiError, 'termEnd')}>
          {(props) => <input {...props} type="date" value={value} min={m.currentTerm.start} onInput={(e) => setValue(e.currentTarget.value)} />}
        </Field>
      }
      preview={async () => {
        const problem = !value
          ? t('field.required')
          : !/^\d{4}-\d{2}-\d{2}$/.test(value)
            ? t('field.invalidDate')
            : value < m.currentTerm.start
              ? t('memberships.termEnd.tooEarly', { date: date(m.currentTerm.start) })
              : value === end
                ? t('memberships.termEnd.same')
                : undefined;
        setError(problem);
        setApiError(undefined);
        if (problem) throw new Error(t('error.validation_failed'));
        return (
          <>
            <Facts
              items={[
                [t('memberships.termEnd.from'), date(end)],
                [t('memberships.termEnd.to'), date(value)],
                [t('memberships.termEnd.nextTerm'), date(addDays(value, 1))],
                [t('memberships.termEnd.nextCharge'), m.billing.cadence === 'upfront' ? t('memberships.termEnd.chargeOn', { date: date(addDays(value, 1)), amount: money(m.billing.price) }) : null],
              ]}
            />
            <p>{t('memberships.termEnd.effect')}</p>
          </>
        );
      }}
      perform={async () => {
        try {
          const r = (await api.patch<MembershipView>(apiPath(['memberships', m.id]), { termEnd: value }, etag)).data;
          return t('memberships.termEnd.done', { date: date(r.currentTerm.end) });
        } catch (e) {
          setApiError(e);
          throw e;
        }
      }}
    />
  );
}

interface CardSetup {
  url: string;
  expiresAt: string;
}

/** What the member's open invoices add up to: a new card pays them at once (R-DUN-4). */
function owedText(invoices: InvoiceView[]): string {
  const open = invoices.filter((i) => i.status === 'open');
  if (open.length === 0) return t('memberships.card.nothing');
  const total = { amount: open.reduce((sum, i) => sum + i.amount.amount, 0), currency: open[0]!.amount.currency };
  return t('memberships.card.owed', { amount: money(total), count: open.length });
}

/**
 * R-CON-1: e-mails the member the update-card link (POST …/card-request): they give or replace
 * their card themselves; what the membership owes is paid with it at once.
 */
function CardRequestPanel({ m, member, live, ...act }: { m: MembershipRecordView; member: MemberView | null; live: boolean } & ActProps) {
  return (
    <Act
      {...act}
      id="card-request"
      offered={member !== null && live}
      title={t('memberships.cardRequest.title')}
      description={t('memberships.cardRequest.text')}
      reviewLabel={t('memberships.cardRequest.review')}
      confirmLabel={t('memberships.cardRequest.confirm')}
      preview={async () => {
        // What a new card pays at once: every open invoice, not only the latest the record shows.
        const invoices = m.more.invoices ? (await api.get<Page<InvoiceView>>(apiPath(['memberships', m.id, 'invoices'], { limit: '100' }))).data.items : m.invoices;
        return (
          <Facts
            items={[
              [t('memberships.cardRequest.to'), `${member!.name} <${member!.email}>`],
              [t('memberships.field.card'), member!.paymentMethod ? cardText(member!.paymentMethod) : t('memberships.noCard')],
              [t('memberships.card.charged'), owedText(invoices)],
            ]}
          />
        );
      }}
      perform={async () => {
        await api.post(apiPath(['memberships', m.id, 'card-request']));
        return t('memberships.cardRequest.done', { email: member!.email });
      }}
    />
  );
}

/**
 * R-PAY-2: a card page at the payment gateway for the member (no card data touches Relance).
 * The API answers its address; staff fill it in with the member (at the desk, on the phone).
 */
function CardSetupPanel({ member, owed, live, ...act }: { member: MemberView | null; owed: InvoiceView[]; live: boolean } & ActProps) {
  return (
    <Act
      {...act}
      id="card-setup"
      offered={member !== null && live}
      title={t('memberships.card.title')}
      description={t('memberships.card.text')}
      reviewLabel={t('memberships.card.review')}
      confirmLabel={t('memberships.card.confirm')}
      preview={async () => (
        <Facts
          items={[
            [t('memberships.field.member'), `${member!.name} <${member!.email}>`],
            [t('memberships.field.card'), member!.paymentMethod ? cardText(member!.paymentMethod) : t('memberships.noCard')],
            [t('memberships.card.charged'), owedText(owed)],
          ]}
        />
      )}
      perform={async () => {
        const session = (await api.post<CardSetup>(apiPath(['members', member!.id, 'card-setup']))).data;
        return <CardLink session={session} />;
      }}
    />
  );
}

function CardLink({ session }: { session: CardSetup }) {
  return (
    <>
      <p>{t('memberships.card.ready', { at: instant(session.expiresAt) })}</p>
      <p>
        <a href={session.url} target="_blank" rel="noopener noreferrer" data-card-setup>
          {t('memberships.card.open')}
        </a>
      </p>
      <Field label={t('memberships.card.copy')}>{(props) => <input {...props} readOnly value={session.url} onFocus={(e) => e.currentTarget.select()} />}</Field>
    </>
  );
}

// ---- Tables ---------------------------------------------------------------------------------

/**
 * Issue 13: a list of which the record (or a first page) shows the latest; "Show older" reads
 * the rest a page at a time from `/api/memberships/{id}/{list}`, newest first. Items already
 * shown are not repeated; `order` sorts the whole (terms read oldest first).
 */
function useOlder<T>(
  shown: T[],
  more: boolean,
  segments: string[],
  key: (item: T) => string,
  options: { cursor?: string | null; order?: (a: T, b: T) => number } = {},
): { items: T[]; control: ComponentChildren } {
  const [older, setOlder] = useState<{ items: T[]; cursor: string | null; more: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const seen = new Set(shown.map(key));
  const extra = (older?.items ?? []).filter((item) => !seen.has(key(item)) && (seen.add(key(item)), true));
  const items = options.order ? [...shown, ...extra].sort(options.order) : [...shown, ...extra];
  const load = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const cursor = older ? older.cursor : (options.cursor ?? null);
      const page = (await api.get<Page<T>>(apiPath(segments, { limit: '25', cursor }))).data;
      setOlder((o) => ({ items: [...(o?.items ?? []), ...page.items], cursor: page.nextCursor, more: page.nextCursor !== null }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const control = (
    <>
      {error !== undefined ? <ErrorAlert error={error} /> : null}
      {(older ? older.more : more) ? (
        <p>
          <Button onClick={() => void load()} busy={busy}>
            {t('memberships.older')}
          </Button>
        </p>
      ) : null}
    </>
  );
  return { items, control };
}

function TermsTable({ terms }: { terms: MembershipRecordView['terms'] }) {
  const col = { term: t('memberships.col.termNo'), period: t('memberships.col.period'), status: t('memberships.col.status') };
  return (
    <TableRegion label={t('memberships.terms')} empty={terms.length === 0} columns={[col.term, col.period, col.status]}>
      <tbody>
        {terms.map((x) => (
          <tr key={x.seq}>
            <td data-label={col.term}>{x.seq}</td>
            <td data-label={col.period}>{termText(x.start, x.end)}</td>
            <td data-label={col.status}>
              <span class={`badge badge-${x.status}`}>{tOr(`memberships.termStatus.${x.status}`, x.status)}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </TableRegion>
  );
}

function TimersTable({ timers }: { timers: MembershipView['timers'] }) {
  const col = { when: t('memberships.col.when'), what: t('memberships.col.what') };
  return (
    <>
      <TableRegion label={t('memberships.timers')} empty={timers.length === 0} columns={[col.when, col.what]}>
        <tbody>
          {timers.map((x) => (
            <tr key={`${x.kind}-${x.at}-${x.ref}`}>
              <td data-label={col.when}>{instant(x.at)}</td>
              <td data-label={col.what}>{x.kind === 'reminder' ? t('memberships.timer.reminderDays', { days: x.ref }) : tOr(`memberships.timer.${x.kind}`, x.kind.replace(/_/g, ' '))}</td>
            </tr>
          ))}
        </tbody>
      </TableRegion>
      {timers.length > 1 ? <p class="muted">{t('memberships.timersNote')}</p> : null}
    </>
  );
}

function EmailsTable({ emails }: { emails: EmailView[] }) {
  const col = { sent: t('memberships.col.sent'), to: t('memberships.col.to'), subject: t('memberships.col.subject'), status: t('memberships.col.status') };
  return (
    <TableRegion label={t('memberships.emails')} empty={emails.length === 0} columns={[col.sent, col.to, col.subject, col.status]}>
      <tbody>
        {emails.map((e) => (
          <tr key={e.id}>
            <td data-label={col.sent}>{e.sentAt ? instant(e.sentAt) : t('value.none')}</td>
            <td data-label={col.to}>{e.to.join(', ')}</td>
            <td data-label={col.subject}>{subjectOf(e)}</td>
            <td data-label={col.status}>
              <span class={`badge badge-${e.status}`}>{tOr(`memberships.emailStatus.${e.status}`, e.status)}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </TableRegion>
  );
}

// ---- Timeline -------------------------------------------------------------------------------

const DATE_FIELDS = ['startDate', 'termEnd', 'terminationDate', 'previous', 'finalBillingDate', 'paidOn', 'effectiveDate', 'lastDay'] as const;
/** Events whose `reason` (or `message`) a person wrote: shown; other reasons are the system's notes. */
const WORDS_OF_PEOPLE = new Set(['cancellation_requested', 'cancelled_by_member', 'cancellation_request_declined', 'notice_change_requested']);

/** What an event's data says, in words; ids and the system's notes are left out. */
function eventDetails(e: TimelineEvent, emails: EmailView[]): ComponentChildren[] {
  const data = e.data ?? {};
  const str = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : null);
  const isMoney = (v: unknown): v is Money => typeof v === 'object' && v !== null && typeof (v as Money).amount === 'number' && typeof (v as Money).currency === 'string';
  const out: ComponentChildren[] = [];
  for (const key of DATE_FIELDS) {
    const v = str(key);
    if (v) out.push(t(`memberships.data.${key}`, { date: date(v) }));
  }
  if (e.type === 'term_end_changed' && str('from') && str('to')) out.push(t('memberships.data.fromTo', { from: date(str('from')), to: date(str('to')) }));
  const start = str('periodStart') ?? str('start') ?? str('newTermStart');
  const end = str('periodEnd') ?? str('end') ?? str('newTermEnd');
  if (start) out.push(t('memberships.data.period', { period: periodText(start, end) }));
  if (str('month')) out.push(t('memberships.data.month', { month: monthText(str('month')!) }));
  if (isMoney(data.amount)) out.push(t('memberships.data.amount', { amount: money(data.amount) }));
  if (isMoney(data.refunded)) out.push(t('memberships.data.refunded', { amount: money(data.refunded) }));
  else if (typeof data.refund === 'boolean') out.push(t(data.refund ? 'memberships.data.refund' : 'memberships.data.noRefund'));
  if (str('method')) out.push(t('memberships.data.method', { method: tOr(`invoices.method.${str('method')}`, str('method')!), reference: str('reference') ?? '' }));
  const card = data.card as { brand?: unknown; last4?: unknown } | undefined;
  if (card && typeof card.brand === 'string' && typeof card.last4 === 'string') out.push(cardText({ brand: card.brand, last4: card.last4 }));
  if (typeof data.retry === 'number') out.push(t('memberships.data.retry', { n: data.retry }));
  if (typeof data.reminder === 'number') out.push(t('memberships.data.reminder', { n: data.reminder }));
  if (e.type === 'reminder_sent' && typeof data.days === 'number') out.push(t('memberships.timer.reminderDays', { days: data.days }));
  if (WORDS_OF_PEOPLE.has(e.type)) {
    const said = str('reason') ?? str('message');
    if (said) out.push(t('memberships.data.reason', { reason: said }));
  }
  if (str('emailId')) {
    const mail = emails.find((x) => x.id === str('emailId'));
    out.push(mail ? t('memberships.data.email', { subject: subjectOf(mail), to: mail.to.join(', ') }) : t('memberships.data.emailTo', { to: str('to') ?? '' }));
  }
  if (str('invoiceId')) {
    out.push(
      <a href={href(['invoices', str('invoiceId')!])}>
        {t('memberships.data.invoice')}
      </a>,
    );
  }
  return out;
}

function actorText(actor: TimelineEvent['actor']): string {
  if (actor.type === 'admin') return t('memberships.actor.admin', { who: actor.id });
  return t(actor.type === 'member' ? 'memberships.actor.member' : 'memberships.actor.system');
}

/** Newest first; events at the same instant keep their recorded order, reversed. */
function Timeline({ events, emails }: { events: TimelineEvent[]; emails: EmailView[] }) {
  const sorted = events.map((event, index) => ({ event, index })).sort((a, b) => (a.event.at === b.event.at ? b.index - a.index : a.event.at < b.event.at ? 1 : -1));
  if (sorted.length === 0) return <p class="muted">{t('memberships.timelineEmpty')}</p>;
  return (
    <ol class="timeline">
      {sorted.map(({ event }) => {
        const details = eventDetails(event, emails);
        return (
          <li key={event.id}>
            <div class="timeline-head">
              <strong>{tOr(`memberships.event.${event.type}`, event.type.replace(/_/g, ' '))}</strong>
              <time dateTime={event.at}>{instant(event.at)}</time>
            </div>
            <div class="muted">{actorText(event.actor)}</div>
            {details.length > 0 ? (
              <p class="event-details">
                {details.map((x, i) => (
                  <span key={i}>
                    {i > 0 ? ' · ' : null}
                    {x}
                  </span>
                ))}
              </p>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
