import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, apiPath, type Page } from '../api.js';
import { ActionPanel, Alert, Facts, Field, Loaded, PageHeader, Pager, StatusBadge, TableRegion, useLoad } from '../components.js';
import { amountText, date, instant, type MessageKey, type Money, money, parseAmount, status, t, tOr } from '../i18n.js';
import { href, setQuery, useLocation } from '../router.js';
import { type Reason, reasonLabel } from './reasons.js';

/**
 * Renewal notices (SPEC §5, R-NOT-1…9, R-REN-5). The seven boards (R-NOT-9) with their rows
 * selectable for a bulk approval or refusal (R-NOT-3), and one notice with everything staff can
 * do to it (R-NOT-3, R-NOT-7, R-NOT-8), each said before it is done (R-CON-1).
 */
const BOARDS = ['active', 'to-remind', 'change-requests', 'unanswered-7d', 'intervention', 'unanswered-6m', 'accepted-unpaid'] as const;
type Board = (typeof BOARDS)[number];

/** The most notices one bulk request acts on (the API's MAX_BULK). */
const MAX_BULK = 100;

type NoticeStatus = 'sent' | 'change_requested' | 'approved' | 'refused' | 'intervention_required';
interface Actor {
  type: 'admin' | 'member' | 'system';
  id: string;
}

interface NoticeRow {
  id: string;
  membershipId: string;
  memberId: string;
  memberName: string;
  memberEmail: string;
  planName: string;
  termEnd: string;
  mode: 'notice' | 'invoice';
  status: NoticeStatus;
  sentAt: string;
  lastContactAt: string;
  reminders: number;
  message: string | null;
  answeredAt: string | null;
  next: { planId: string; planName: string; price: Money; termMonths: number; seq: number; start: string; end: string };
  approved: { at: string; by: Actor } | null;
  invoiceId: string | null;
  paidAt: string | null;
  refusal: { reasonId: string | null; label: string; at: string; by: Actor; note: string | null } | null;
}

interface Notice extends NoticeRow {
  mailed?: boolean;
  inProcess: boolean;
  timeline: { at: string; type: string; actor: Actor; data: Record<string, unknown> }[];
  version: number;
}

interface Plan {
  id: string;
  name: string;
  price: Money;
  termMonths?: number;
  billing: { cadence: 'monthly' | 'upfront' };
}

interface Invoice {
  id: string;
  status: string;
  amount: Money;
  dueDate: string;
}

interface BulkResult {
  id: string;
  ok: boolean;
  status?: string;
  changed?: boolean;
  error?: { code: string; message: string };
}

const OPEN: ReadonlySet<NoticeStatus> = new Set(['sent', 'change_requested', 'intervention_required']);

function plural(n: number, one: MessageKey, other: MessageKey, vars: Record<string, string | number> = {}): string {
  return t(n === 1 ? one : other, { count: n, ...vars });
}

/** Why an action on a notice was refused, in words (the API's text is for developers). */
function whyNot(code: string): string {
  return tOr(`renewals.error.${code}`, t('renewals.error.other'));
}

/** An API refusal with its own words: shown by the action's panel as its message. */
async function explained<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const known = error instanceof ApiError ? tOr(`renewals.error.${error.code}`, '') : '';
    throw known ? new Error(known) : error;
  }
}

const activeReasons = () => api.get<{ items: Reason[] }>(apiPath(['refusal-reasons'])).then((r) => r.data.items);

/** The reason and note of a refusal (R-NOT-3): the active reasons of the organisation. */
function RefusalFields({
  reasons,
  reasonId,
  note,
  reasonError,
  onReason,
  onNote,
}: {
  reasons: Reason[];
  reasonId: string;
  note: string;
  reasonError?: string | undefined;
  onReason: (id: string) => void;
  onNote: (note: string) => void;
}) {
  if (reasons.length === 0) {
    return (
      <Alert tone="warn">
        <p>{t('renewals.reason.none')}</p>
        <p>
          <a href={href(['reasons'])}>{t('renewals.reason.manage')}</a>
        </p>
      </Alert>
    );
  }
  return (
    <>
      <Field label={t('renewals.reason')} error={reasonError}>
        {(props) => (
          <select {...props} value={reasonId} onChange={(e) => onReason((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">{t('renewals.reason.choose')}</option>
            {reasons.map((r) => (
              <option key={r.id} value={r.id}>
                {reasonLabel(r)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('renewals.note')} optional>
        {(props) => <textarea {...props} rows={2} maxLength={1000} value={note} onInput={(e) => onNote((e.currentTarget as HTMLTextAreaElement).value)} />}
      </Field>
    </>
  );
}

// ───────────────────────── the boards ─────────────────────────

export function RenewalsPage() {
  const { query } = useLocation();
  const wanted = query.get('board');
  const board: Board = BOARDS.includes(wanted as Board) ? (wanted as Board) : 'active';
  const cursor = query.get('cursor');
  const reasons = useLoad(activeReasons, []);
  return (
    <>
      <PageHeader title={t('renewals.title')} subtitle={t('renewals.subtitle')} />
      <nav class="tabs" aria-label={t('renewals.boards')}>
        {BOARDS.map((b) => (
          <a key={b} href={href(['renewals'], { board: b })} aria-current={b === board ? 'page' : undefined}>
            {t(`renewals.board.${b}` as MessageKey)}
          </a>
        ))}
      </nav>
      <p class="muted">{t(`renewals.boardHint.${board}` as MessageKey)}</p>
      {/* A board or page of its own: no row of the previous one stays shown, nor selected. */}
      <BoardRows key={`${board}|${cursor ?? ''}`} board={board} cursor={cursor} reasons={reasons.data ?? []} />
    </>
  );
}

/** One page of one board, its rows selectable for the bulk panel. */
function BoardRows({ board, cursor, reasons }: { board: Board; cursor: string | null; reasons: Reason[] }) {
  const rows = useLoad(() => api.get<Page<NoticeRow>>(apiPath(['renewals'], { board, cursor })).then((r) => r.data), [board, cursor]);
  const [selected, setSelected] = useState<string[]>([]);
  // After a bulk action the panel stays, with its results, even if the board is now empty.
  const [acted, setActed] = useState(false);
  const toggle = (id: string, on: boolean) => setSelected((s) => (on ? [...s.filter((x) => x !== id), id] : s.filter((x) => x !== id)));
  return (
    <Loaded state={rows}>
      {(page) => {
        const onPage = page.items.map((n) => n.id);
        const all = onPage.length > 0 && onPage.every((id) => selected.includes(id));
        return (
          <>
            <TableRegion label={t(`renewals.board.${board}` as MessageKey)} empty={page.items.length === 0}>
              <thead>
                <tr>
                  <th scope="col">
                    <label>
                      <input type="checkbox" checked={all} onChange={(e) => setSelected((e.currentTarget as HTMLInputElement).checked ? onPage : [])} />
                      <span class="visually-hidden">{t('renewals.selectAll')}</span>
                    </label>
                  </th>
                  <th scope="col">{t('renewals.col.member')}</th>
                  <th scope="col">{t('renewals.col.termEnd')}</th>
                  <th scope="col">{t('renewals.col.offer')}</th>
                  <th scope="col">{t('renewals.col.status')}</th>
                  <th scope="col">{t('renewals.col.sent')}</th>
                  <th scope="col">{t('table.details')}</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((n) => (
                  <tr key={n.id}>
                    <td data-label={t('renewals.col.select')}>
                      <div>
                        <label>
                          <input type="checkbox" checked={selected.includes(n.id)} onChange={(e) => toggle(n.id, (e.currentTarget as HTMLInputElement).checked)} />
                          <span class="visually-hidden">{t('renewals.selectOne', { name: n.memberName })}</span>
                        </label>
                      </div>
                    </td>
                    <td data-label={t('renewals.col.member')}>
                      <div>
                        <a href={href(['members', n.memberId])}>{n.memberName}</a>
                        <div class="muted">{n.memberEmail}</div>
                      </div>
                    </td>
                    <td data-label={t('renewals.col.termEnd')} class="nowrap">
                      <div>{date(n.termEnd)}</div>
                    </td>
                    <td data-label={t('renewals.col.offer')}>
                      <div>
                        {t('renewals.offer', { plan: n.next.planName, price: money(n.next.price) })}
                        <div class="muted">{t('renewals.period', { start: date(n.next.start), end: date(n.next.end) })}</div>
                      </div>
                    </td>
                    <td data-label={t('renewals.col.status')}>
                      <div>
                        <StatusBadge kind="notice" value={n.status} />
                        {n.status === 'approved' && n.invoiceId ? <div class="muted">{t(n.paidAt ? 'renewals.paid' : 'renewals.unpaid')}</div> : null}
                      </div>
                    </td>
                    <td data-label={t('renewals.col.sent')}>
                      <div>
                        {instant(n.sentAt)}
                        {n.reminders > 0 ? <div class="muted">{plural(n.reminders, 'renewals.reminders.one', 'renewals.reminders.other')}</div> : null}
                      </div>
                    </td>
                    <td data-label={t('table.details')}>
                      <div>
                        <a href={href(['renewals', n.id])}>
                          {t('renewals.open')}
                          <span class="visually-hidden"> {t('renewals.openOf', { name: n.memberName })}</span>
                        </a>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </TableRegion>
            <Pager cursor={cursor} nextCursor={page.nextCursor} onPage={(next) => setQuery({ cursor: next })} />
            {page.items.length > 0 || acted ? (
              <BulkPanel
                rows={page.items.filter((n) => selected.includes(n.id))}
                reasons={reasons}
                onDone={() => {
                  setSelected([]);
                  setActed(true);
                  rows.reload();
                }}
              />
            ) : null}
          </>
        );
      }}
    </Loaded>
  );
}

/** R-NOT-3: approve or refuse the selected notices at once; one result per notice, in words. */
function BulkPanel({ rows, reasons, onDone }: { rows: NoticeRow[]; reasons: Reason[]; onDone: () => void }) {
  const [action, setAction] = useState<'approve' | 'refuse'>('approve');
  const [reasonId, setReasonId] = useState('');
  const [note, setNote] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>(undefined);
  // The rows as they were confirmed: the results name them after the board reloads.
  const confirmed = useRef<NoticeRow[]>([]);
  const names = (list: NoticeRow[]) => list.map((n) => n.memberName).join(', ');
  const reason = reasons.find((r) => r.id === reasonId);

  return (
    <ActionPanel
      title={t('renewals.bulk.title')}
      description={rows.length === 0 ? t('renewals.bulk.selected.none') : plural(rows.length, 'renewals.bulk.selected.one', 'renewals.bulk.selected.other')}
      form={
        <>
          <Field label={t('renewals.bulk.action')}>
            {(props) => (
              <select {...props} value={action} onChange={(e) => setAction((e.currentTarget as HTMLSelectElement).value as 'approve' | 'refuse')}>
                <option value="approve">{t('renewals.bulk.approve')}</option>
                <option value="refuse">{t('renewals.bulk.refuse')}</option>
              </select>
            )}
          </Field>
          {action === 'refuse' ? (
            <RefusalFields
              reasons={reasons}
              reasonId={reasonId}
              note={note}
              reasonError={reasonError}
              onReason={(id) => (setReasonId(id), setReasonError(undefined))}
              onNote={setNote}
            />
          ) : null}
        </>
      }
      reviewLabel={t('renewals.bulk.review')}
      confirmLabel={t(action === 'approve' ? 'renewals.bulk.doApprove' : 'renewals.bulk.doRefuse')}
      tone={action === 'approve' ? 'primary' : 'danger'}
      preview={async () => {
        if (rows.length === 0) throw new Error(t('renewals.bulk.noneSelected'));
        if (rows.length > MAX_BULK) throw new Error(t('renewals.bulk.tooMany', { max: MAX_BULK }));
        if (action === 'refuse' && !reason) {
          setReasonError(t('field.required'));
          throw new Error(t('renewals.form.check'));
        }
        confirmed.current = rows;
        return action === 'approve' ? (
          <>
            <p>
              <strong>{plural(rows.length, 'renewals.bulk.confirmApprove.one', 'renewals.bulk.confirmApprove.other', { names: names(rows) })}</strong>
            </p>
            <p>{t('renewals.bulk.approveEffect')}</p>
          </>
        ) : (
          <>
            <p>
              <strong>{plural(rows.length, 'renewals.bulk.confirmRefuse.one', 'renewals.bulk.confirmRefuse.other', { names: names(rows) })}</strong>
            </p>
            <p>{t('renewals.bulk.refuseEffect', { reason: reasonLabel(reason!) })}</p>
          </>
        );
      }}
      perform={async () => {
        const list = confirmed.current;
        const body =
          action === 'approve'
            ? { action, ids: list.map((n) => n.id) }
            : { action, ids: list.map((n) => n.id), reasonId, ...(note.trim() ? { note: note.trim() } : {}) };
        const { data } = await api.post<{ results: BulkResult[] }>(apiPath(['renewals', 'bulk']), body);
        const nameOf = new Map(list.map((n) => [n.id, n.memberName]));
        setNote('');
        return (
          <>
            <p>{t('renewals.bulk.summary', { done: data.results.filter((r) => r.ok).length, total: data.results.length })}</p>
            <ul>
              {data.results.map((r) => (
                <li key={r.id}>
                  {t('renewals.bulk.line', {
                    name: nameOf.get(r.id) ?? r.id,
                    result: r.ok
                      ? t(r.changed ? 'renewals.bulk.ok' : 'renewals.bulk.unchanged', { status: status('notice', r.status ?? '').toLowerCase() })
                      : t('renewals.bulk.failed', { why: whyNot(r.error?.code ?? '') }),
                  })}
                </li>
              ))}
            </ul>
          </>
        );
      }}
      onDone={onDone}
    />
  );
}

// ───────────────────────── one notice ─────────────────────────

type ActionKey = 'edit' | 'approve' | 'refuse' | 'reset' | 'remind';

/** What the notice's status allows (R-NOT-3, R-NOT-7, R-NOT-8); the API decides the rest. */
function allowedActions(n: Notice): Set<ActionKey> {
  const awaitingPayment = n.status === 'approved' && n.invoiceId !== null && n.paidAt === null;
  const allowed = new Set<ActionKey>();
  if (OPEN.has(n.status)) {
    allowed.add('edit');
    allowed.add('approve');
  }
  if (OPEN.has(n.status) || awaitingPayment) allowed.add('refuse');
  if (awaitingPayment) allowed.add('reset');
  if (awaitingPayment || n.status === 'sent' || n.status === 'change_requested') allowed.add('remind');
  return allowed;
}

function actorWords(actor: Actor): string {
  return t(`renewals.actor.${actor.type}` as MessageKey);
}

function entryWords(entry: Notice['timeline'][number]): string {
  const d = entry.data;
  switch (entry.type) {
    case 'sent':
      return t(d.mode === 'invoice' ? 'renewals.timeline.sentInvoice' : 'renewals.timeline.sent');
    case 'reminded':
      return t(d.automatic ? 'renewals.timeline.remindedAuto' : 'renewals.timeline.reminded', { count: Number(d.reminder ?? 1) });
    case 'approved':
      return t('renewals.timeline.approved', { price: money(d.amount as Money) });
    case 'refused':
      return t('renewals.timeline.refused', { reason: String(d.label ?? '') });
    case 'edited':
      return t('renewals.timeline.edited', { price: money(d.price as Money), end: date(d.end as string) });
    default:
      return tOr(`renewals.timeline.${entry.type}`, t('renewals.timeline.other'));
  }
}

/** The detail under a timeline entry: the member's message, the intervention reason. */
function entryDetail(entry: Notice['timeline'][number]): string | null {
  const d = entry.data;
  if (entry.type === 'change_requested' && typeof d.message === 'string') return d.message;
  if ((entry.type === 'held' || entry.type === 'intervention_required') && typeof d.reason === 'string' && d.reason) return d.reason;
  return null;
}

function InvoiceFacts({ notice }: { notice: Notice }) {
  const invoice = useLoad(() => api.get<Invoice>(apiPath(['invoices', notice.invoiceId!])).then((r) => r.data), [notice.invoiceId, notice.version]);
  return (
    <section class="card" aria-labelledby="notice-invoice">
      <h2 id="notice-invoice">{t('renewals.invoice.title')}</h2>
      <Loaded state={invoice}>
        {(inv) => (
          <Facts
            items={[
              [t('renewals.invoice.amount'), money(inv.amount)],
              [t('renewals.invoice.status'), <StatusBadge kind="invoice" value={inv.status} />],
              [t('renewals.invoice.due'), date(inv.dueDate)],
              [t('renewals.invoice.paidAt'), notice.paidAt ? instant(notice.paidAt) : t('renewals.invoice.notPaid')],
              [t('renewals.invoice.approved'), notice.approved ? t('renewals.invoice.approvedBy', { at: instant(notice.approved.at), by: actorWords(notice.approved.by) }) : null],
            ]}
          />
        )}
      </Loaded>
      <p>
        <a href={href(['invoices', notice.invoiceId!])}>{t('renewals.invoice.open')}</a>
      </p>
    </section>
  );
}

export function NoticePage({ noticeId }: { noticeId?: string }) {
  const id = noticeId ?? '';
  const state = useLoad(() => api.get<Notice>(apiPath(['renewals', id])).then((r) => r.data), [id]);
  const notice = state.data;
  return (
    <>
      <PageHeader
        title={notice ? t('renewals.notice.titleOf', { name: notice.memberName }) : t('renewals.notice.title')}
        subtitle={notice ? t('renewals.notice.subtitle', { plan: notice.planName, date: date(notice.termEnd) }) : undefined}
        actions={<a href={href(['renewals'])}>{t('renewals.notice.back')}</a>}
      />
      <Loaded state={state}>{(n) => <NoticeDetails notice={n} reload={state.reload} />}</Loaded>
    </>
  );
}

function NoticeDetails({ notice: n, reload }: { notice: Notice; reload: () => void }) {
  const reasons = useLoad(activeReasons, []);
  const plans = useLoad(() => api.get<{ items: Plan[] }>(apiPath(['plans'])).then((r) => r.data.items), []);
  const allowed = allowedActions(n);
  // The last action's result, shown here when its panel is gone (its status no longer allows it).
  const [last, setLast] = useState<{ action: ActionKey; text: string } | null>(null);
  const orphan = last !== null && !allowed.has(last.action);
  const resultBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (orphan) resultBox.current?.focus();
  }, [orphan, last]);
  const finished = (action: ActionKey) => (text: string) => {
    setLast({ action, text });
    return text;
  };
  const awaitingPayment = allowed.has('reset');

  return (
    <>
      <div class="grid">
        <section class="card" aria-labelledby="notice-facts">
          <h2 id="notice-facts">{t('renewals.notice.facts')}</h2>
          <Facts
            items={[
              [
                t('renewals.notice.member'),
                <>
                  <a href={href(['members', n.memberId])}>{n.memberName}</a>
                  <div class="muted">{n.memberEmail}</div>
                </>,
              ],
              [t('renewals.notice.membership'), <a href={href(['memberships', n.membershipId])}>{t('renewals.notice.openMembership')}</a>],
              [t('renewals.notice.plan'), n.planName],
              [t('renewals.notice.termEnd'), date(n.termEnd)],
              [t('renewals.notice.status'), <StatusBadge kind="notice" value={n.status} />],
              [t('renewals.notice.mode'), t(n.mode === 'invoice' ? 'renewals.mode.invoice' : 'renewals.mode.notice')],
              [t('renewals.notice.sent'), n.mailed === false ? t('renewals.notice.notMailed') : instant(n.sentAt)],
              [t('renewals.notice.lastContact'), instant(n.lastContactAt)],
              [t('renewals.notice.reminders'), String(n.reminders)],
            ]}
          />
        </section>
        <section class="card" aria-labelledby="notice-next">
          <h2 id="notice-next">{t('renewals.next.title')}</h2>
          <Facts
            items={[
              [t('renewals.next.plan'), n.next.planName],
              [t('renewals.next.price'), money(n.next.price)],
              [t('renewals.next.dates'), t('renewals.period', { start: date(n.next.start), end: date(n.next.end) })],
            ]}
          />
        </section>
      </div>

      {n.message ? (
        <section class="card" aria-labelledby="notice-message">
          <h2 id="notice-message">{t('renewals.message.title')}</h2>
          <blockquote class="member-message">{n.message}</blockquote>
          {n.answeredAt ? <p class="muted">{t('renewals.message.at', { at: instant(n.answeredAt) })}</p> : null}
        </section>
      ) : null}

      {n.invoiceId ? <InvoiceFacts notice={n} /> : null}

      {n.refusal ? (
        <section class="card" aria-labelledby="notice-refusal">
          <h2 id="notice-refusal">{t('renewals.refusal.title')}</h2>
          <Facts
            items={[
              [t('renewals.refusal.reason'), n.refusal.reasonId === null ? t('renewals.refusal.closed') : n.refusal.label],
              [t('renewals.refusal.note'), n.refusal.note],
              [t('renewals.refusal.at'), `${instant(n.refusal.at)}, ${actorWords(n.refusal.by)}`],
            ]}
          />
        </section>
      ) : null}

      <section aria-labelledby="notice-actions">
        <h2 id="notice-actions">{t('renewals.actions.title')}</h2>
        {orphan ? (
          <div tabIndex={-1} ref={resultBox}>
            <Alert tone="ok">{last.text}</Alert>
          </div>
        ) : null}
        {allowed.size === 0 ? <p class="muted">{t('renewals.actions.none')}</p> : null}
        <div class="grid">
          {allowed.has('approve') ? (
            <ActionPanel
              title={t('renewals.approve.title')}
              description={t('renewals.approve.description')}
              reviewLabel={t('renewals.approve.review')}
              confirmLabel={t('renewals.approve.confirm')}
              preview={async () => (
                <>
                  <p>{t('renewals.approve.summary', { name: n.memberName, plan: n.next.planName, start: date(n.next.start), end: date(n.next.end) })}</p>
                  <p>{t('renewals.approve.summaryInvoice', { price: money(n.next.price), email: n.memberEmail, start: date(n.next.start) })}</p>
                </>
              )}
              perform={async () => {
                const { data } = await explained(api.post<Notice>(apiPath(['renewals', n.id, 'approve'])));
                return finished('approve')(t('renewals.approve.done', { price: money(data.next.price), email: data.memberEmail }));
              }}
              onDone={reload}
            />
          ) : null}
          {allowed.has('edit') ? <EditPanel notice={n} plans={plans.data ?? []} onDone={reload} finished={finished('edit')} /> : null}
          {allowed.has('refuse') ? <RefusePanel notice={n} reasons={reasons.data ?? []} awaitingPayment={awaitingPayment} onDone={reload} finished={finished('refuse')} /> : null}
          {allowed.has('reset') ? (
            <ActionPanel
              title={t('renewals.reset.title')}
              description={t('renewals.reset.description')}
              reviewLabel={t('renewals.reset.review')}
              confirmLabel={t('renewals.reset.confirm')}
              tone="danger"
              preview={async () => <p>{t('renewals.reset.summary', { price: money(n.next.price), start: date(n.next.start), end: date(n.next.end) })}</p>}
              perform={async () => {
                await explained(api.post<Notice>(apiPath(['renewals', n.id, 'reset'])));
                return finished('reset')(t('renewals.reset.done'));
              }}
              onDone={reload}
            />
          ) : null}
          {allowed.has('remind') ? (
            <ActionPanel
              title={t('renewals.remind.title')}
              description={t(awaitingPayment ? 'renewals.remind.descriptionInvoice' : 'renewals.remind.descriptionNotice')}
              reviewLabel={t('renewals.remind.review')}
              confirmLabel={t('renewals.remind.confirm')}
              preview={async () => (
                <p>
                  {awaitingPayment
                    ? t('renewals.remind.summaryInvoice', { price: money(n.next.price), email: n.memberEmail })
                    : t('renewals.remind.summaryNotice', { email: n.memberEmail, count: n.reminders + 1 })}
                </p>
              )}
              perform={async () => {
                const { data } = await explained(api.post<Notice>(apiPath(['renewals', n.id, 'remind'])));
                return finished('remind')(t('renewals.remind.done', { email: data.memberEmail }));
              }}
              onDone={reload}
            />
          ) : null}
        </div>
      </section>

      <section class="card" aria-labelledby="notice-timeline">
        <h2 id="notice-timeline">{t('renewals.timeline.title')}</h2>
        {n.timeline.length === 0 ? (
          <p class="muted">{t('table.empty')}</p>
        ) : (
          <ol class="timeline">
            {[...n.timeline].reverse().map((entry, i) => {
              const detail = entryDetail(entry);
              return (
                <li key={`${entry.at}-${i}`}>
                  <div class="timeline-head">
                    <strong>{entryWords(entry)}</strong> <span class="muted">{actorWords(entry.actor)}</span>
                    <time dateTime={entry.at}>{instant(entry.at)}</time>
                  </div>
                  {detail ? <p class="member-message muted">{detail}</p> : null}
                </li>
              );
            })}
          </ol>
        )}
      </section>
    </>
  );
}

/** R-NOT-7, R-NOT-2: another plan (upfront, with a term) or another price for the offered term. */
function EditPanel({ notice: n, plans, onDone, finished }: { notice: Notice; plans: Plan[]; onDone: () => void; finished: (text: string) => string }) {
  const [planId, setPlanId] = useState(n.next.planId);
  const [price, setPrice] = useState(amountText(n.next.price));
  const [priceError, setPriceError] = useState<string | undefined>(undefined);
  // Reset the form when the notice changes under it (after an action).
  useEffect(() => {
    setPlanId(n.next.planId);
    setPrice(amountText(n.next.price));
  }, [n.version]);
  const choices = plans.filter((p) => p.billing.cadence === 'upfront' && p.termMonths !== undefined);
  if (!choices.some((p) => p.id === n.next.planId)) choices.unshift({ id: n.next.planId, name: n.next.planName, price: n.next.price, termMonths: n.next.termMonths, billing: { cadence: 'upfront' } });
  const plan = choices.find((p) => p.id === planId) ?? choices[0]!;
  const currency = plan.price.currency;
  // What the review showed is what the confirmation sends.
  const change = useRef<{ body: { planId?: string; price?: Money }; price: Money } | null>(null);

  const read = (): { body: { planId?: string; price?: Money }; price: Money } => {
    const amount = parseAmount(price, currency);
    if (amount === null) {
      setPriceError(t('field.invalidAmount'));
      throw new Error(t('renewals.form.check'));
    }
    setPriceError(undefined);
    const newPrice = { amount, currency };
    const body: { planId?: string; price?: Money } = {};
    if (plan.id !== n.next.planId) body.planId = plan.id;
    if (body.planId || amount !== n.next.price.amount || currency !== n.next.price.currency) body.price = newPrice;
    if (!body.planId && !body.price) throw new Error(t('renewals.edit.nothing'));
    return { body, price: newPrice };
  };

  return (
    <ActionPanel
      title={t('renewals.edit.title')}
      description={t('renewals.edit.description')}
      form={
        <>
          <Field label={t('renewals.edit.plan')}>
            {(props) => (
              <select
                {...props}
                value={plan.id}
                onChange={(e) => {
                  const next = choices.find((p) => p.id === (e.currentTarget as HTMLSelectElement).value);
                  if (!next) return;
                  setPlanId(next.id);
                  setPrice(amountText(next.id === n.next.planId ? n.next.price : next.price));
                }}
              >
                {choices.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('renewals.edit.price', { currency })} hint={t('renewals.edit.priceHint')} error={priceError}>
            {(props) => <input {...props} type="text" inputMode="decimal" autoComplete="off" value={price} onInput={(e) => setPrice((e.currentTarget as HTMLInputElement).value)} />}
          </Field>
        </>
      }
      reviewLabel={t('renewals.edit.review')}
      confirmLabel={t('renewals.edit.confirm')}
      preview={async () => {
        const reviewed = read();
        change.current = reviewed;
        const months = plan.termMonths ?? n.next.termMonths;
        return (
          <ul>
            {reviewed.body.planId ? <li>{t('renewals.edit.summaryPlan', { from: n.next.planName, to: plan.name })}</li> : null}
            <li>{t('renewals.edit.summaryPrice', { from: money(n.next.price), to: money(reviewed.price) })}</li>
            <li>{t('renewals.edit.summaryTerm', { start: date(n.next.start), months })}</li>
          </ul>
        );
      }}
      perform={async () => {
        const { body } = change.current ?? read();
        const { data } = await explained(api.patch<Notice>(apiPath(['renewals', n.id]), body));
        return finished(t('renewals.edit.done', { plan: data.next.planName, price: money(data.next.price), start: date(data.next.start), end: date(data.next.end) }));
      }}
      onDone={onDone}
    />
  );
}

/** R-NOT-3, R-NOT-5: refuse with a reason; the membership ends at the current term's end. */
function RefusePanel({
  notice: n,
  reasons,
  awaitingPayment,
  onDone,
  finished,
}: {
  notice: Notice;
  reasons: Reason[];
  awaitingPayment: boolean;
  onDone: () => void;
  finished: (text: string) => string;
}) {
  const [reasonId, setReasonId] = useState('');
  const [note, setNote] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>(undefined);
  const reason = reasons.find((r) => r.id === reasonId);
  return (
    <ActionPanel
      title={t('renewals.refuse.title')}
      description={t('renewals.refuse.description')}
      form={<RefusalFields reasons={reasons} reasonId={reasonId} note={note} reasonError={reasonError} onReason={(id) => (setReasonId(id), setReasonError(undefined))} onNote={setNote} />}
      reviewLabel={t('renewals.refuse.review')}
      confirmLabel={t('renewals.refuse.confirm')}
      tone="danger"
      preview={async (): Promise<ComponentChildren> => {
        if (!reason) {
          setReasonError(t('field.required'));
          throw new Error(t('renewals.form.check'));
        }
        return (
          <>
            <p>
              <strong>{t('renewals.refuse.summary', { name: n.memberName, reason: reasonLabel(reason) })}</strong>
            </p>
            <p>{t('renewals.refuse.summaryEnd', { name: n.memberName, date: date(n.termEnd) })}</p>
            {awaitingPayment ? <p>{t('renewals.refuse.summaryVoid', { price: money(n.next.price) })}</p> : null}
          </>
        );
      }}
      perform={async () => {
        await explained(api.post<Notice>(apiPath(['renewals', n.id, 'refuse']), { reasonId, ...(note.trim() ? { note: note.trim() } : {}) }));
        return finished(t('renewals.refuse.done', { date: date(n.termEnd) }));
      }}
      onDone={onDone}
    />
  );
}
