import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, apiPath, getOrNull, type Page } from '../api.js';
import { ActionPanel, Facts, Field, Loaded, PageHeader, Pager, StatusBadge, TableRegion, fieldError, useLoad } from '../components.js';
import { type Money, date, instant, money, status as statusWord, t, tOr } from '../i18n.js';
import { href, setQuery, useLocation } from '../router.js';

/**
 * Invoices (issue 11): the list by status (the filter and the page in the URL), one invoice
 * with its line, payments and refunds, and what staff can do with it (R-CON-1): record a
 * payment, send it again, void it. The action panels are shared with the membership page.
 */

export interface MoneyMove {
  attemptId: string;
  reference: string | null;
  status: string;
  amount: Money;
  at: string;
}

export interface InvoiceView {
  id: string;
  membershipId: string;
  memberId: string;
  status: 'open' | 'paid' | 'void' | 'uncollectible';
  amount: Money;
  description: string;
  periodStart: string;
  periodEnd: string | null;
  issueDate: string;
  dueDate: string;
  lastFailure: { code: string; message: string; hard: boolean; at: string } | null;
  payment: {
    reference: string;
    paidAt: string;
    method: 'card' | 'recorded';
    offline?: { method: string; reference: string; paidOn: string; by: string };
  } | null;
  payments: MoneyMove[];
  refunds: MoneyMove[];
  disputes?: { reference: string; amount: Money; reason: string; status: string; openedAt: string }[];
  credit: { amount: Money; at: string; refund: boolean } | null;
  /** In lists: the member's name (null when the member no longer exists). */
  member?: { id: string; name: string } | null;
  version: number;
  updatedAt: string;
}

export interface MemberView {
  id: string;
  name: string;
  email: string;
  paymentMethod: { brand: string; last4: string; expMonth: number; expYear: number } | null;
}

const INVOICE_STATUSES = ['open', 'paid', 'void', 'uncollectible'] as const;
const PAYMENT_METHODS = ['cheque', 'transfer', 'cash', 'other'] as const;

/** "January 15 – February 14, 2027" as two dates in words; "from …" without an end. */
export function periodText(start: string, end: string | null): string {
  return end ? t('invoices.period', { start: date(start), end: date(end) }) : t('invoices.periodFrom', { start: date(start) });
}

export function cardText(card: { brand: string; last4: string }): string {
  return t('invoices.card', { brand: card.brand.charAt(0).toUpperCase() + card.brand.slice(1), last4: card.last4 });
}

function methodWord(method: string): string {
  return tOr(`invoices.method.${method}`, method);
}

/** How an invoice was paid, in words: "By cheque (no 1042), March 3, 2027" or "By card, Jan 15, 2027, 10:00 a.m. EST". */
export function paidText(invoice: InvoiceView): string | null {
  const p = invoice.payment;
  if (!p) return null;
  if (p.offline) return t('invoices.paidOffline', { method: methodWord(p.offline.method), reference: p.offline.reference, date: date(p.offline.paidOn) });
  return t('invoices.paidByCard', { at: instant(p.paidAt) });
}

/** "Léa Tremblay" linking to the member, or a word when the member is gone. */
function MemberLink({ id, name }: { id: string; name: string | null | undefined }) {
  return <a href={href(['members', id])}>{name ?? t('invoices.memberUnknown')}</a>;
}

// ---- Actions shared with the membership page ------------------------------------------------

/** What the last action did, kept by the page so its result stays visible after a reload. */
export interface Outcome {
  id: string;
  title: string;
  result: ComponentChildren;
}

/**
 * An ActionPanel that the page may stop offering once it is done (a paid invoice cannot be
 * paid again): its result then stays on the page in a card of its own, which takes the focus.
 */
export function Act({
  id,
  offered,
  outcome,
  onOutcome,
  reload,
  perform,
  ...panel
}: {
  id: string;
  offered: boolean;
  outcome: Outcome | null;
  onOutcome: (o: Outcome) => void;
  reload: () => void;
} & Omit<Parameters<typeof ActionPanel>[0], 'onDone'>) {
  if (!offered) return outcome?.id === id ? <DoneCard outcome={outcome} /> : null;
  return (
    <ActionPanel
      {...panel}
      perform={async () => {
        const result = await perform();
        onOutcome({ id, title: panel.title, result });
        return result;
      }}
      onDone={reload}
    />
  );
}

function DoneCard({ outcome }: { outcome: Outcome }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), []);
  return (
    <section class="card action-panel" aria-label={outcome.title}>
      <h2>{outcome.title}</h2>
      <div class="result" tabIndex={-1} ref={box}>
        <div class="alert alert-ok" role="status">
          {outcome.result}
        </div>
      </div>
    </section>
  );
}

/** The invoice an action is about: a choice when several fit, else a line naming it. */
function InvoiceChoice({ invoices, value, onChange }: { invoices: InvoiceView[]; value: string; onChange: (id: string) => void }) {
  const label = (i: InvoiceView) => `${periodText(i.periodStart, i.periodEnd)} — ${money(i.amount)}`;
  if (invoices.length === 1) return <p>{t('invoices.action.about', { invoice: label(invoices[0]!) })}</p>;
  return (
    <Field label={t('invoices.action.invoice')}>
      {(props) => (
        <select {...props} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
          {invoices.map((i) => (
            <option key={i.id} value={i.id}>
              {label(i)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

interface ActProps {
  outcome: Outcome | null;
  onOutcome: (o: Outcome) => void;
  reload: () => void;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** R-DUN-9: staff record a payment made another way (cheque, transfer, cash) for an open or uncollectible invoice. */
export function PayPanel({ invoices, ...act }: { invoices: InvoiceView[] } & ActProps) {
  const payable = invoices.filter((i) => i.status === 'open' || i.status === 'uncollectible');
  const [chosen, setChosen] = useState('');
  const [method, setMethod] = useState<string>('cheque');
  const [reference, setReference] = useState('');
  const [paidOn, setPaidOn] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [apiError, setApiError] = useState<unknown>(undefined);
  const invoice = payable.find((i) => i.id === chosen) ?? payable[0];
  const err = (field: string) => errors[field] ?? fieldError(apiError, field);
  return (
    <Act
      {...act}
      id="pay"
      offered={invoice !== undefined}
      title={t('invoices.pay.title')}
      description={t('invoices.pay.text')}
      reviewLabel={t('invoices.pay.review')}
      confirmLabel={t('invoices.pay.confirm')}
      form={
        <>
          <InvoiceChoice invoices={payable} value={invoice?.id ?? ''} onChange={setChosen} />
          <div class="field-row">
            <Field label={t('invoices.pay.method')}>
              {(props) => (
                <select {...props} value={method} onChange={(e) => setMethod(e.currentTarget.value)}>
                  {PAYMENT_METHODS.map((m) => (
                    <option key={m} value={m}>
                      {methodWord(m)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('invoices.pay.reference')} hint={t('invoices.pay.referenceHint')} error={err('reference')}>
              {(props) => <input {...props} value={reference} maxLength={200} onInput={(e) => setReference(e.currentTarget.value)} />}
            </Field>
            <Field label={t('invoices.pay.paidOn')} optional hint={t('invoices.pay.paidOnHint')} error={err('paidOn')}>
              {(props) => <input {...props} type="date" value={paidOn} onInput={(e) => setPaidOn(e.currentTarget.value)} />}
            </Field>
          </div>
        </>
      }
      preview={async () => {
        const found: Record<string, string> = {};
        if (!reference.trim()) found.reference = t('field.required');
        if (paidOn && !DATE.test(paidOn)) found.paidOn = t('field.invalidDate');
        setErrors(found);
        setApiError(undefined);
        if (Object.keys(found).length > 0) throw new Error(t('error.validation_failed'));
        const i = invoice!;
        return (
          <>
            <Facts
              items={[
                [t('invoices.field.invoice'), periodText(i.periodStart, i.periodEnd)],
                [t('invoices.field.amount'), money(i.amount)],
                [t('invoices.pay.method'), methodWord(method)],
                [t('invoices.pay.reference'), reference.trim()],
                [t('invoices.pay.paidOn'), paidOn ? date(paidOn) : t('invoices.pay.today')],
              ]}
            />
            <p>{t('invoices.pay.effect', { amount: money(i.amount) })}</p>
          </>
        );
      }}
      perform={async () => {
        const i = invoice!;
        try {
          const body = { method, reference: reference.trim(), ...(paidOn ? { paidOn } : {}) };
          const paid = (await api.post<InvoiceView>(apiPath(['invoices', i.id, 'pay']), body)).data;
          setReference('');
          setPaidOn('');
          return t('invoices.pay.done', { amount: money(paid.amount), method: methodWord(method) });
        } catch (e) {
          setApiError(e);
          throw e;
        }
      }}
    />
  );
}

/** R-DUN-9: an open invoice e-mailed to the member again, with its pay-by-card link. */
export function ResendPanel({ invoices, member, ...act }: { invoices: InvoiceView[]; member: MemberView | null } & ActProps) {
  const open = invoices.filter((i) => i.status === 'open');
  const [chosen, setChosen] = useState('');
  const invoice = open.find((i) => i.id === chosen) ?? open[0];
  const to = member ? `${member.name} <${member.email}>` : t('invoices.memberUnknown');
  return (
    <Act
      {...act}
      id="resend"
      offered={invoice !== undefined}
      title={t('invoices.resend.title')}
      description={t('invoices.resend.text')}
      reviewLabel={t('invoices.resend.review')}
      confirmLabel={t('invoices.resend.confirm')}
      form={<InvoiceChoice invoices={open} value={invoice?.id ?? ''} onChange={setChosen} />}
      preview={async () => {
        const i = invoice!;
        return (
          <>
            <Facts
              items={[
                [t('invoices.field.invoice'), periodText(i.periodStart, i.periodEnd)],
                [t('invoices.field.amount'), money(i.amount)],
                [t('invoices.field.due'), date(i.dueDate)],
                [t('invoices.resend.to'), to],
              ]}
            />
            <p>{t('invoices.resend.effect')}</p>
          </>
        );
      }}
      perform={async () => {
        await api.post(apiPath(['invoices', invoice!.id, 'resend']));
        return t('invoices.resend.done', { to });
      }}
    />
  );
}

interface VoidPreview {
  membershipStatus: { from: string; to: string };
  refund: boolean;
  refunded: Money;
}

/**
 * R-CAN-6: void the membership's last invoice (open or paid), with or without a refund of
 * its card payment: the API's preview states what happens before it is confirmed.
 */
export function VoidPanel({ invoice, membershipStatus, lastInvoiceId, ...act }: { invoice: InvoiceView | undefined; membershipStatus: string | null; lastInvoiceId: string | null } & ActProps) {
  const [refund, setRefund] = useState(false);
  const voidable = invoice !== undefined && (invoice.status === 'open' || invoice.status === 'paid') && membershipStatus !== null && membershipStatus !== 'voided' && lastInvoiceId === invoice.id;
  const withRefund = refund && invoice?.status === 'paid';
  return (
    <Act
      {...act}
      id="void"
      offered={voidable}
      tone="danger"
      title={t('invoices.void.title')}
      description={t('invoices.void.text')}
      reviewLabel={t('invoices.void.review')}
      confirmLabel={t('invoices.void.confirm')}
      form={
        <>
          {invoice ? <p>{t('invoices.action.about', { invoice: `${periodText(invoice.periodStart, invoice.periodEnd)} — ${money(invoice.amount)}` })}</p> : null}
          {invoice?.status === 'paid' ? (
            <div class="field field-check">
              <label>
                <input type="checkbox" checked={refund} onChange={(e) => setRefund(e.currentTarget.checked)} />
                {t('invoices.void.refund')}
              </label>
            </div>
          ) : null}
        </>
      }
      preview={async () => {
        const i = invoice!;
        const p = (await api.get<VoidPreview>(apiPath(['invoices', i.id, 'void'], { refund: String(withRefund) }))).data;
        return (
          <>
            <Facts
              items={[
                [t('invoices.field.invoice'), periodText(i.periodStart, i.periodEnd)],
                [t('invoices.void.credited'), money(i.amount)],
                [t('invoices.void.refunded'), p.refund ? money(p.refunded) : t('invoices.void.noRefund')],
                [t('invoices.void.membership'), t('invoices.void.statusChange', { from: statusWord('membership', p.membershipStatus.from), to: statusWord('membership', p.membershipStatus.to) })],
              ]}
            />
            <p>{t('invoices.void.effect')}</p>
          </>
        );
      }}
      perform={async () => {
        const voided = (await api.post<InvoiceView>(apiPath(['invoices', invoice!.id, 'void']), { refund: withRefund })).data;
        return withRefund ? t('invoices.void.doneRefund', { amount: money(voided.amount) }) : t('invoices.void.done', { amount: money(voided.amount) });
      }}
    />
  );
}

// ---- Tables ---------------------------------------------------------------------------------

/** A membership's or a member's invoices: period, amount, status, dates, a link to each. */
export function InvoiceTable({ invoices, label }: { invoices: InvoiceView[]; label: string }) {
  const col = {
    period: t('invoices.col.period'),
    amount: t('invoices.col.amount'),
    status: t('invoices.col.status'),
    issued: t('invoices.col.issued'),
    due: t('invoices.col.due'),
    paid: t('invoices.col.paid'),
  };
  return (
    <TableRegion label={label} empty={invoices.length === 0} columns={[col.period, col.amount, col.status, col.issued, col.due, col.paid, t('table.details')]}>
      <tbody>
        {invoices.map((i) => (
          <tr key={i.id}>
            <td data-label={col.period}>{periodText(i.periodStart, i.periodEnd)}</td>
            <td data-label={col.amount} class="nowrap">
              {money(i.amount)}
            </td>
            <td data-label={col.status}>
              <StatusBadge kind="invoice" value={i.status} />
            </td>
            <td data-label={col.issued}>{date(i.issueDate)}</td>
            <td data-label={col.due}>{date(i.dueDate)}</td>
            <td data-label={col.paid}>{paidText(i) ?? t('value.none')}</td>
            <td data-label={t('table.details')}>
              <a href={href(['invoices', i.id])}>
                {t('invoices.open')}
                <span class="visually-hidden"> {periodText(i.periodStart, i.periodEnd)}</span>
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </TableRegion>
  );
}

// ---- #/invoices -----------------------------------------------------------------------------

export function InvoicesPage() {
  const { query } = useLocation();
  const raw = query.get('status');
  const status = (INVOICE_STATUSES as readonly string[]).includes(raw ?? '') ? (raw as (typeof INVOICE_STATUSES)[number]) : 'open';
  const cursor = query.get('cursor');
  const list = useLoad(async () => (await api.get<Page<InvoiceView>>(apiPath(['invoices'], { status, cursor }))).data, [status, cursor]);
  const col = {
    member: t('invoices.col.member'),
    period: t('invoices.col.period'),
    amount: t('invoices.col.amount'),
    status: t('invoices.col.status'),
    issued: t('invoices.col.issued'),
    due: t('invoices.col.due'),
  };
  const heading = t('invoices.listOf', { status: statusWord('invoice', status) });
  return (
    <>
      <PageHeader title={t('invoices.title')} subtitle={t('invoices.subtitle')} />
      <nav class="tabs" aria-label={t('invoices.filter')}>
        {INVOICE_STATUSES.map((s) => (
          <a key={s} href={href(['invoices'], { status: s })} aria-current={s === status ? 'page' : undefined}>
            {statusWord('invoice', s)}
          </a>
        ))}
      </nav>
      <section class="card" aria-labelledby="invoices-list">
        <h2 id="invoices-list">{heading}</h2>
        <Loaded state={list.loading ? { ...list, data: undefined } : list}>
          {(page) => (
            <>
              <TableRegion label={heading} empty={page.items.length === 0} columns={[col.member, col.period, col.amount, col.status, col.issued, col.due, t('table.details')]}>
                <tbody>
                  {page.items.map((i) => (
                    <tr key={i.id}>
                      <td data-label={col.member}>
                        <MemberLink id={i.memberId} name={i.member?.name} />
                      </td>
                      <td data-label={col.period}>{periodText(i.periodStart, i.periodEnd)}</td>
                      <td data-label={col.amount} class="nowrap">
                        {money(i.amount)}
                      </td>
                      <td data-label={col.status}>
                        <StatusBadge kind="invoice" value={i.status} />
                      </td>
                      <td data-label={col.issued}>{date(i.issueDate)}</td>
                      <td data-label={col.due}>{date(i.dueDate)}</td>
                      <td data-label={t('table.details')}>
                        <a href={href(['invoices', i.id])}>
                          {t('invoices.open')}
                          <span class="visually-hidden"> {i.member?.name ?? ''} {periodText(i.periodStart, i.periodEnd)}</span>
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

// ---- #/invoices/{invoiceId} -----------------------------------------------------------------

interface MembershipBrief {
  id: string;
  planId: string;
  status: string;
  lastInvoiceId: string | null;
}

function MovesTable({ moves, label, kind }: { moves: MoneyMove[]; label: string; kind: 'payment' | 'refund' }) {
  const col = { at: t('invoices.col.at'), amount: t('invoices.col.amount'), status: t('invoices.col.status'), reference: t('invoices.col.reference') };
  return (
    <TableRegion label={label} columns={[col.at, col.amount, col.status, col.reference]}>
      <tbody>
        {moves.map((m) => (
          <tr key={m.attemptId}>
            <td data-label={col.at}>{instant(m.at)}</td>
            <td data-label={col.amount} class="nowrap">
              {kind === 'refund' ? `− ${money(m.amount)}` : money(m.amount)}
            </td>
            <td data-label={col.status}>
              <span class={`badge badge-${m.status === 'succeeded' ? 'paid' : m.status}`}>{tOr(`invoices.attempt.${m.status}`, m.status)}</span>
            </td>
            <td data-label={col.reference}>{m.reference ? <code class="small">{m.reference}</code> : t('value.none')}</td>
          </tr>
        ))}
      </tbody>
    </TableRegion>
  );
}

export function InvoicePage({ invoiceId }: { invoiceId?: string }) {
  const id = invoiceId ?? '';
  const state = useLoad(async () => {
    const invoice = (await api.get<InvoiceView>(apiPath(['invoices', id]))).data;
    const [member, membership] = await Promise.all([
      getOrNull<MemberView>(apiPath(['members', invoice.memberId])),
      getOrNull<MembershipBrief>(apiPath(['memberships', invoice.membershipId])),
    ]);
    const plan = membership ? await getOrNull<{ name: string }>(apiPath(['plans', membership.data.planId])) : null;
    return { invoice, member: member?.data ?? null, membership: membership?.data ?? null, planName: plan?.data.name ?? null };
  }, [id]);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const d = state.data;
  const title = d ? t('invoices.one', { member: d.member?.name ?? t('invoices.memberUnknown'), period: periodText(d.invoice.periodStart, d.invoice.periodEnd) }) : t('invoices.oneTitle');
  return (
    <>
      <PageHeader
        title={title}
        subtitle={
          d ? (
            <>
              <StatusBadge kind="invoice" value={d.invoice.status} /> {money(d.invoice.amount)}
            </>
          ) : undefined
        }
      />
      <Loaded state={state}>
        {({ invoice: i, member, membership, planName }) => {
          const act = { outcome, onOutcome: setOutcome, reload: state.reload };
          const lineCol = { description: t('invoices.col.description'), period: t('invoices.col.period'), amount: t('invoices.col.amount') };
          return (
            <>
              <section class="card" aria-labelledby="invoice-facts">
                <h2 id="invoice-facts">{t('invoices.facts')}</h2>
                <Facts
                  items={[
                    [t('invoices.field.status'), <StatusBadge kind="invoice" value={i.status} />],
                    [t('invoices.field.member'), <MemberLink id={i.memberId} name={member?.name} />],
                    [
                      t('invoices.field.membership'),
                      <a href={href(['memberships', i.membershipId])}>{planName ? t('invoices.membershipOf', { plan: planName }) : t('invoices.membershipLink')}</a>,
                    ],
                    [t('invoices.field.amount'), money(i.amount)],
                    [t('invoices.field.period'), periodText(i.periodStart, i.periodEnd)],
                    [t('invoices.field.issued'), date(i.issueDate)],
                    [t('invoices.field.due'), date(i.dueDate)],
                    [t('invoices.field.paid'), paidText(i)],
                    [
                      t('invoices.field.credit'),
                      i.credit ? t(i.credit.refund ? 'invoices.creditRefund' : 'invoices.creditNoRefund', { amount: money(i.credit.amount), at: instant(i.credit.at) }) : null,
                    ],
                    [
                      t('invoices.field.lastFailure'),
                      i.lastFailure && i.status !== 'paid' ? t('invoices.failure', { at: instant(i.lastFailure.at), message: i.lastFailure.message }) : null,
                    ],
                    [t('invoices.field.number'), <code class="small">{i.id}</code>],
                  ]}
                />
              </section>
              <section class="card" aria-labelledby="invoice-lines">
                <h2 id="invoice-lines">{t('invoices.lines')}</h2>
                <TableRegion label={t('invoices.lines')} columns={[lineCol.description, lineCol.period, lineCol.amount]}>
                  <tbody>
                    <tr>
                      <td data-label={lineCol.description}>{planName ? t('invoices.lineOf', { plan: planName }) : t('invoices.line')}</td>
                      <td data-label={lineCol.period}>{periodText(i.periodStart, i.periodEnd)}</td>
                      <td data-label={lineCol.amount} class="nowrap">
                        {money(i.amount)}
                      </td>
                    </tr>
                  </tbody>
                </TableRegion>
              </section>
              {i.payments.length > 0 ? (
                <section class="card" aria-labelledby="invoice-payments">
                  <h2 id="invoice-payments">{t('invoices.payments')}</h2>
                  <MovesTable moves={i.payments} label={t('invoices.payments')} kind="payment" />
                </section>
              ) : null}
              {i.refunds.length > 0 ? (
                <section class="card" aria-labelledby="invoice-refunds">
                  <h2 id="invoice-refunds">{t('invoices.refunds')}</h2>
                  <MovesTable moves={i.refunds} label={t('invoices.refunds')} kind="refund" />
                </section>
              ) : null}
              {i.disputes && i.disputes.length > 0 ? (
                <section class="card" aria-labelledby="invoice-disputes">
                  <h2 id="invoice-disputes">{t('invoices.disputes')}</h2>
                  <ul class="plain">
                    {i.disputes.map((x) => (
                      <li key={x.reference}>
                        {t('invoices.dispute', { at: instant(x.openedAt), amount: money(x.amount), status: x.status.replace(/_/g, ' ') })}
                      </li>
                    ))}
                  </ul>
                </section>
              ) : null}
              <div class="action-grid">
                <PayPanel invoices={[i]} {...act} />
                <ResendPanel invoices={[i]} member={member} {...act} />
                <VoidPanel invoice={i} membershipStatus={membership?.status ?? null} lastInvoiceId={membership?.lastInvoiceId ?? null} {...act} />
              </div>
            </>
          );
        }}
      </Loaded>
    </>
  );
}
