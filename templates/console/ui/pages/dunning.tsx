import { useEffect, useState } from 'preact/hooks';
import { api, apiPath, type Page } from '../api.js';
import { Button, Facts, Field, Loaded, PageHeader, Pager, StatusBadge, TableRegion, useLoad } from '../components.js';
import { date, instant, locale, type MessageKey, type Money, money, status, t } from '../i18n.js';
import { href, setQuery, useLocation } from '../router.js';

/**
 * R-DUN-1…11: the dunning runs by state (one Query each, newest first, a page at a time) and the
 * recovery figures of the runs that started in a period (R-DUN-10). The state, the page and the
 * period live in the URL.
 */
const STATES = ['active', 'recovered', 'lost', 'canceled'] as const;
type RunState = (typeof STATES)[number];

interface Run {
  invoiceId: string;
  membershipId: string;
  member: { id: string; name: string; email: string } | null;
  amount: Money;
  state: RunState;
  startedAt: string;
  retries: number;
  nextAttemptAt: string | null;
  lastDecline: { code: string; hard: boolean; at: string } | null;
  outcome: string | null;
  recovered: { by: string; amount: Money; afterRetries: number; days: number } | null;
  endedAt: string | null;
  endReason: string | null;
}

interface Summary {
  from: string;
  to: string;
  started: number;
  active: number;
  activeAmounts?: Money[];
  recovered: { count: number; amounts: Money[]; byStep: { retries: number; count: number }[] };
  lost: { count: number; amounts: Money[] };
  canceled: number;
  recoveryRate: number | null;
  medianDaysToRecovery: number | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function amounts(list: Money[] | undefined): string {
  return list && list.length > 0 ? list.map(money).join(' + ') : t('value.none');
}

function count(n: number, one: MessageKey, other: MessageKey): string {
  return t(n === 1 ? one : other, { count: n });
}

/** What became of a run, or where it stands, in words. */
function Progress({ run }: { run: Run }) {
  const lines: string[] = [run.retries === 0 ? t('dunning.retries.none') : count(run.retries, 'dunning.retries.one', 'dunning.retries.other')];
  if (run.state === 'active' && run.nextAttemptAt) lines.push(t('dunning.next', { at: instant(run.nextAttemptAt) }));
  if (run.lastDecline && run.state === 'active') lines.push(t('dunning.lastDecline', { why: t(run.lastDecline.hard ? 'dunning.decline.hard' : 'dunning.decline.soft') }));
  if (run.recovered) lines.push(t(`dunning.recoveredBy.${run.recovered.by}` as MessageKey));
  if (run.outcome) lines.push(t(`dunning.outcome.${run.outcome}` as MessageKey));
  if (run.endReason === 'invoice_voided') lines.push(t('dunning.endReason.invoice_voided'));
  if (run.endedAt) lines.push(t('dunning.ended', { at: instant(run.endedAt) }));
  return (
    <>
      {lines.map((line, i) => (
        <div key={i} class={i === 0 ? undefined : 'muted'}>
          {line}
        </div>
      ))}
    </>
  );
}

function Runs({ state, cursor }: { state: RunState; cursor: string | null }) {
  const runs = useLoad(() => api.get<Page<Run>>(apiPath(['dunning'], { state, cursor })).then((r) => r.data), [state, cursor]);
  const label = `${t('dunning.runs')} — ${status('dunning', state)}`;
  return (
    <Loaded state={runs}>
      {(page) => (
        <>
          <TableRegion label={label} empty={page.items.length === 0} columns={[t('dunning.col.member'), t('dunning.col.invoice'), t('dunning.col.state'), t('dunning.col.progress'), t('dunning.col.started')]}>
            <tbody>
              {page.items.map((run) => (
                <tr key={run.invoiceId}>
                  <td data-label={t('dunning.col.member')}>
                    <div>
                      {run.member ? (
                        <>
                          <a href={href(['members', run.member.id])}>{run.member.name}</a>
                          <div class="muted">{run.member.email}</div>
                        </>
                      ) : (
                        <span class="muted">{t('dunning.memberGone')}</span>
                      )}
                    </div>
                  </td>
                  <td data-label={t('dunning.col.invoice')} class="nowrap">
                    <div>
                      <a href={href(['invoices', run.invoiceId])} aria-label={t('dunning.invoiceOf', { amount: money(run.amount) })}>
                        {money(run.amount)}
                      </a>
                    </div>
                  </td>
                  <td data-label={t('dunning.col.state')}>
                    <div>
                      <StatusBadge kind="dunning" value={run.state} />
                    </div>
                  </td>
                  <td data-label={t('dunning.col.progress')}>
                    <div>
                      <Progress run={run} />
                    </div>
                  </td>
                  <td data-label={t('dunning.col.started')}><div>{instant(run.startedAt)}</div></td>
                </tr>
              ))}
            </tbody>
          </TableRegion>
          <Pager cursor={cursor} nextCursor={page.nextCursor} onPage={(next) => setQuery({ cursor: next })} />
        </>
      )}
    </Loaded>
  );
}

/** R-DUN-10: the period's cohort of runs and what became of them. */
function RecoverySummary({ from, to }: { from: string | null; to: string | null }) {
  const summary = useLoad(() => api.get<Summary>(apiPath(['dunning', 'summary'], { from, to })).then((r) => r.data), [from, to]);
  const [draft, setDraft] = useState({ from: from ?? '', to: to ?? '' });
  const [errors, setErrors] = useState<{ from?: string; to?: string }>({});
  useEffect(() => {
    // Without a period in the URL the API answers its default (this month so far): show it in the fields.
    setDraft({ from: from ?? summary.data?.from ?? '', to: to ?? summary.data?.to ?? '' });
  }, [from, to, summary.data]);

  const submit = (event: Event) => {
    event.preventDefault();
    const next: { from?: string; to?: string } = {};
    if (!DATE.test(draft.from)) next.from = t('field.invalidDate');
    if (!DATE.test(draft.to)) next.to = t('field.invalidDate');
    if (!next.from && !next.to && draft.from > draft.to) next.from = t('dunning.summary.badRange');
    setErrors(next);
    if (next.from || next.to) return;
    setQuery({ from: draft.from, to: draft.to });
  };

  return (
    <section class="card" aria-labelledby="dunning-summary">
      <h2 id="dunning-summary">{t('dunning.summary.title')}</h2>
      <p class="muted">{t('dunning.summary.hint')}</p>
      <form class="searchbar" onSubmit={submit} noValidate>
        <Field label={t('dunning.summary.from')} error={errors.from}>
          {(props) => <input {...props} type="date" value={draft.from} onInput={(e) => setDraft({ ...draft, from: (e.currentTarget as HTMLInputElement).value })} />}
        </Field>
        <Field label={t('dunning.summary.to')} error={errors.to}>
          {(props) => <input {...props} type="date" value={draft.to} onInput={(e) => setDraft({ ...draft, to: (e.currentTarget as HTMLInputElement).value })} />}
        </Field>
        <Button kind="secondary" type="submit">
          {t('dunning.summary.show')}
        </Button>
      </form>
      <Loaded state={summary}>
        {(s) => (
          <>
            <p>
              <strong>{t('dunning.summary.period', { from: date(s.from), to: date(s.to) })}</strong>
            </p>
            <TableRegion label={t('dunning.summary.title')} columns={[t('dunning.summary.outcome'), t('dunning.summary.runs'), t('dunning.summary.amount')]}>
              <tbody>
                {(
                  [
                    ['active', s.active, amounts(s.activeAmounts)],
                    ['recovered', s.recovered.count, amounts(s.recovered.amounts)],
                    ['lost', s.lost.count, amounts(s.lost.amounts)],
                    ['canceled', s.canceled, t('value.none')],
                  ] as const
                ).map(([state, n, amount]) => (
                  <tr key={state}>
                    <td data-label={t('dunning.summary.outcome')}>
                      <div>
                        <StatusBadge kind="dunning" value={state} />
                      </div>
                    </td>
                    <td data-label={t('dunning.summary.runs')} class="count">
                      <div>{n}</div>
                    </td>
                    <td data-label={t('dunning.summary.amount')}><div>{amount}</div></td>
                  </tr>
                ))}
              </tbody>
            </TableRegion>
            <Facts
              items={[
                [t('dunning.summary.started'), String(s.started)],
                [t('dunning.summary.rate'), s.recoveryRate === null ? t('value.none') : new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(s.recoveryRate)],
                [t('dunning.summary.median'), s.medianDaysToRecovery === null ? t('value.none') : count(s.medianDaysToRecovery, 'dunning.summary.days.one', 'dunning.summary.days.other')],
                [
                  t('dunning.summary.byStep'),
                  s.recovered.byStep.length === 0
                    ? t('value.none')
                    : s.recovered.byStep.map((step) => t('dunning.summary.step', { retries: step.retries, count: step.count })).join('; '),
                ],
              ]}
            />
          </>
        )}
      </Loaded>
    </section>
  );
}

export function DunningPage() {
  const { query } = useLocation();
  const wanted = query.get('state');
  const state: RunState = STATES.includes(wanted as RunState) ? (wanted as RunState) : 'active';
  const cursor = query.get('cursor');
  const from = query.get('from');
  const to = query.get('to');
  return (
    <>
      <PageHeader title={t('dunning.title')} subtitle={t('dunning.subtitle')} />
      <section aria-labelledby="dunning-runs">
        <h2 id="dunning-runs">{t('dunning.runs')}</h2>
        <nav class="tabs" aria-label={t('dunning.states')}>
          {STATES.map((s) => (
            <a key={s} href={href(['dunning'], { state: s, from, to })} aria-current={s === state ? 'page' : undefined}>
              {status('dunning', s)}
            </a>
          ))}
        </nav>
        <p class="muted">{t(`dunning.stateHint.${state}` as MessageKey)}</p>
        <Runs key={`${state}|${cursor ?? ''}`} state={state} cursor={cursor} />
      </section>
      <RecoverySummary from={from} to={to} />
    </>
  );
}
