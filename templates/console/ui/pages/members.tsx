import type { ComponentChildren } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';
import { amountDue, nextBillingDate, periodEnd, termAt } from '../../../../shared/domain/billing.js';
import { addDays, isLocalDate, localDateOf } from '../../../../shared/domain/calendar.js';
import { cardBrandName } from '../../../format.js';
import { api, apiPath, getOrNull, type Page } from '../api.js';
import {
  ActionPanel,
  Alert,
  Button,
  ErrorAlert,
  Facts,
  Field,
  fieldError,
  flash,
  Loaded,
  type LoadState,
  PageHeader,
  Pager,
  StatusBadge,
  TableRegion,
  useLoad,
} from '../components.js';
import { date, instant, type Money, money, t, timeZone } from '../i18n.js';
import { href, navigate, setQuery, useLocation } from '../router.js';
import { useSession } from '../session.js';

/**
 * Members (R-CON-3): the list and the search by name or e-mail prefix (query and cursor in the
 * URL), creating and correcting a member (a duplicate e-mail is a warning, not a refusal), and a
 * member's page: facts, memberships, starting a membership, the card-setup link (R-PAY-2).
 */
type Locale = 'fr-CA' | 'en';

interface Card {
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

interface Member {
  id: string;
  name: string;
  email: string;
  locale: Locale | null;
  communicationsOptIn: boolean;
  autoRenew: boolean;
  intervention: { required: boolean; reason: string | null };
  paymentMethod: Card | null;
  createdAt: string;
  /** R-PRV-1: set once the member's personal data was erased. */
  erased?: { at: string } | null;
  /** R-OPS-1: what SES reported about the member's current address. */
  emailDelivery?: { status: 'deliverable' | 'bouncing' | 'complained' | 'suppressed'; at: string | null; reason: string | null };
}

/** R-OPS-1: the delivery status of the member's address, in words. */
function deliveryText(d: Member['emailDelivery']): string {
  if (!d || d.status === 'deliverable') return t('members.delivery.deliverable');
  const on = d.at ? instant(d.at) : '';
  if (d.status === 'bouncing') return t('members.delivery.bouncing', { date: on });
  if (d.status === 'complained') return t('members.delivery.complained', { date: on });
  return t('members.delivery.suppressed', { date: on, reason: d.reason ?? '' });
}

interface Warning {
  code: string;
  memberIds?: string[];
}

interface Plan {
  id: string;
  name: string;
  price: Money;
  termMonths?: number;
  billing: { cadence: 'monthly' | 'upfront'; anchor: { type: 'fixedDay'; day: number } | { type: 'purchaseDate' } };
}

interface Membership {
  id: string;
  planId: string;
  status: string;
  currentTerm: { start: string; end: string | null };
  nextBillingDate: string | null;
}

const PAGE_SIZE = '25';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The member's language, or the organisation's (named when known). */
function languageName(value: Locale | null, org: Locale | undefined): string {
  if (value) return t(`members.locale.${value}`);
  return org ? t('members.locale.orgNamed', { language: t(`members.locale.${org}`) }) : t('members.locale.org');
}

function cardText(card: Card | null, withExpiry = false): string {
  if (!card) return t('members.noCard');
  const text = `${cardBrandName(card.brand)} •••• ${card.last4}`;
  return withExpiry ? t('members.cardExpires', { card: text, month: String(card.expMonth).padStart(2, '0'), year: card.expYear }) : text;
}

function priceText(plan: Plan): string {
  if (plan.billing.cadence === 'monthly') return t('members.pricePerMonth', { price: money(plan.price) });
  return plan.termMonths ? t('members.pricePerTerm', { price: money(plan.price), months: plan.termMonths }) : t('members.priceOnce', { price: money(plan.price) });
}

/** A load whose data belongs to another query (cursor, search) reads as still loading, not as the new answer. */
function fresh<T extends { key: string }>(state: LoadState<T>, key: string): LoadState<T> {
  return state.data && state.data.key !== key ? { ...state, data: undefined } : state;
}

/** Today in the organisation's time zone, by the server's clock (the local cloud's clock may be moved). */
async function today(local: boolean): Promise<string> {
  let now = new Date();
  if (local) now = new Date((await api.get<{ now: string }>('/_local/clock')).data.now);
  return localDateOf(now, timeZone());
}

/** What a save told the next page: the warnings of POST or PATCH (R-CON-3), shown once. */
let pendingWarnings: { memberId: string; email: string; warnings: Warning[] } | null = null;

function takeWarnings(memberId: string) {
  const pending = pendingWarnings?.memberId === memberId ? pendingWarnings : null;
  pendingWarnings = null;
  return pending;
}

/** A duplicate e-mail address (R-CON-3): words, and links to the other members. */
function DuplicateWarning({ email, memberIds }: { email: string; memberIds: string[] }) {
  const others = useLoad(
    () => Promise.all(memberIds.slice(0, 5).map((id) => getOrNull<Member>(apiPath(['members', id])).catch(() => null))),
    [memberIds.join()],
  );
  return (
    <Alert tone="warn" title={t('members.duplicateTitle')}>
      <p>{t('members.duplicateText', { email })}</p>
      {memberIds.length > 0 ? (
        <ul>
          {memberIds.slice(0, 5).map((id, i) => {
            const other = others.data?.[i]?.data;
            return (
              <li key={id}>
                <a href={href(['members', id])}>{other ? other.name : t('members.otherMember')}</a>
                {other ? <span> ({other.email})</span> : null}
              </li>
            );
          })}
        </ul>
      ) : null}
    </Alert>
  );
}

// ---- The list and the search (R-CON-3) ------------------------------------------------------

export function MembersPage() {
  const { query } = useLocation();
  const orgLocale = useSession().settings?.locale;
  const q = (query.get('q') ?? '').trim();
  const cursor = query.get('cursor');
  const [text, setText] = useState(q);
  const hintId = useId();
  useEffect(() => setText(q), [q]);
  const key = `${q}|${cursor ?? ''}`;
  const list = fresh(
    useLoad(
      () =>
        api
          .get<Page<Member | { id: string; name: string; email: string }>>(apiPath(['members'], { q: q || undefined, cursor, limit: PAGE_SIZE }))
          .then((a) => ({ ...a.data, key })),
      [key],
    ),
    key,
  );
  const counts = useLoad(
    () =>
      api
        .get<{ total: number; counts: Record<string, number> }>('/api/memberships/counts')
        .then((a) => a.data)
        .catch(() => null),
    [],
  );
  const search = (event: Event) => {
    event.preventDefault();
    setQuery({ q: text.trim() || null, cursor: null });
  };
  const subtitle = counts.data ? t('members.counts', { total: counts.data.total, active: counts.data.counts.active ?? 0 }) : undefined;
  const columns = q ? [t('members.name'), t('members.email')] : [t('members.name'), t('members.email'), t('members.language'), t('members.card')];

  return (
    <>
      <PageHeader
        title={t('members.title')}
        subtitle={subtitle}
        actions={
          <a class="button primary" href={href(['members', 'new'])}>
            {t('members.new')}
          </a>
        }
      />
      <form role="search" class="searchbar" aria-label={t('members.searchLabel')} onSubmit={search} noValidate>
        <Field label={t('members.searchField')}>
          {(props) => <input {...props} aria-describedby={hintId} type="search" name="q" value={text} maxLength={100} onInput={(e) => setText(e.currentTarget.value)} />}
        </Field>
        <Button kind="primary" type="submit">
          {t('action.search')}
        </Button>
        {q ? (
          <a class="button" href={href(['members'])}>
            {t('action.clear')}
          </a>
        ) : null}
        <p class="hint" id={hintId}>
          {t('members.searchHint')}
        </p>
      </form>
      <Loaded state={list}>
        {(page) => (
          <section class="card" aria-label={q ? t('members.results', { q }) : t('members.all')}>
            {q ? (
              <p aria-live="polite">{page.items.length === 0 ? t('members.noMatch', { q }) : t('members.found', { count: page.items.length, q })}</p>
            ) : null}
            {page.items.length > 0 ? (
              <TableRegion label={q ? t('members.results', { q }) : t('members.all')} columns={columns}>
                <tbody>
                  {page.items.map((m) => (
                    <tr key={m.id}>
                      <td data-label={columns[0]}>
                        <a href={href(['members', m.id])}>{m.name}</a>
                      </td>
                      <td data-label={columns[1]}>{m.email}</td>
                      {'locale' in m ? <td data-label={columns[2]}>{languageName(m.locale, orgLocale)}</td> : null}
                      {'locale' in m ? <td data-label={columns[3]}>{cardText(m.paymentMethod)}</td> : null}
                    </tr>
                  ))}
                </tbody>
              </TableRegion>
            ) : q ? null : (
              <p class="muted">{t('members.none')}</p>
            )}
            <Pager cursor={cursor} nextCursor={page.nextCursor} onPage={(next) => setQuery({ cursor: next })} />
          </section>
        )}
      </Loaded>
    </>
  );
}

// ---- Create and correct ---------------------------------------------------------------------

interface FormValues {
  name: string;
  email: string;
  locale: '' | Locale;
  communicationsOptIn: boolean;
  autoRenew: boolean;
  interventionRequired: boolean;
  interventionReason: string;
}

type FormErrors = Partial<Record<'name' | 'email' | 'interventionReason', string>>;

function validate(v: FormValues): FormErrors {
  const errors: FormErrors = {};
  if (!v.name.trim()) errors.name = t('field.required');
  else if (v.name.trim().length > 200) errors.name = t('members.nameTooLong');
  if (!v.email.trim()) errors.email = t('field.required');
  else if (!EMAIL.test(v.email.trim()) || v.email.trim().length > 254) errors.email = t('field.invalidEmail');
  if (v.interventionRequired && !v.interventionReason.trim()) errors.interventionReason = t('members.reasonRequired');
  return errors;
}

function MemberForm({
  initial,
  withIntervention,
  submitLabel,
  cancelHref,
  save,
}: {
  initial: FormValues;
  withIntervention: boolean;
  submitLabel: string;
  cancelHref: string;
  save: (values: FormValues) => Promise<void>;
}) {
  const session = useSession();
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<FormErrors>({});
  const [apiError, setApiError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<FormValues>) => setValues((v) => ({ ...v, ...patch }));

  const submit = async (event: Event) => {
    event.preventDefault();
    const found = validate(values);
    setErrors(found);
    setApiError(undefined);
    if (Object.keys(found).length > 0) {
      // The errors render first; then the first invalid field takes the focus.
      const form = event.currentTarget as HTMLFormElement;
      setTimeout(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
      return;
    }
    setBusy(true);
    try {
      await save(values);
    } catch (error) {
      setApiError(error);
      setBusy(false);
    }
  };

  return (
    <form class="card" onSubmit={submit} noValidate>
      {apiError !== undefined ? <ErrorAlert error={apiError} fields={['name', 'email', 'locale', 'intervention']} /> : null}
      <div class="field-row">
        <Field label={t('members.name')} error={errors.name ?? fieldError(apiError, 'name')}>
          {(props) => <input {...props} name="name" autoComplete="off" maxLength={200} value={values.name} onInput={(e) => set({ name: e.currentTarget.value })} />}
        </Field>
        <Field label={t('members.email')} error={errors.email ?? fieldError(apiError, 'email')}>
          {(props) => <input {...props} name="email" type="email" autoComplete="off" value={values.email} onInput={(e) => set({ email: e.currentTarget.value })} />}
        </Field>
      </div>
      <Field label={t('members.language')} hint={t('members.languageHint')} error={fieldError(apiError, 'locale')}>
        {(props) => (
          <select {...props} name="locale" value={values.locale} onChange={(e) => set({ locale: e.currentTarget.value as FormValues['locale'] })}>
            <option value="">{languageName(null, session.settings?.locale)}</option>
            <option value="fr-CA">{t('members.locale.fr-CA')}</option>
            <option value="en">{t('members.locale.en')}</option>
          </select>
        )}
      </Field>
      <fieldset>
        <legend>{t('members.preferences')}</legend>
        <Check label={t('members.optIn')} checked={values.communicationsOptIn} onChange={(v) => set({ communicationsOptIn: v })} />
        <Check label={t('members.autoRenew')} checked={values.autoRenew} onChange={(v) => set({ autoRenew: v })} />
      </fieldset>
      {withIntervention ? (
        <fieldset>
          <legend>{t('members.intervention')}</legend>
          <Check label={t('members.interventionRequired')} checked={values.interventionRequired} onChange={(v) => set({ interventionRequired: v })} />
          {values.interventionRequired ? (
            <Field label={t('members.interventionReason')} error={errors.interventionReason ?? fieldError(apiError, 'intervention')}>
              {(props) => <textarea {...props} rows={2} maxLength={500} value={values.interventionReason} onInput={(e) => set({ interventionReason: e.currentTarget.value })} />}
            </Field>
          ) : null}
        </fieldset>
      ) : null}
      <div class="form-actions">
        <Button kind="primary" type="submit" busy={busy}>
          {submitLabel}
        </Button>
        <a class="button" href={cancelHref}>
          {t('action.cancel')}
        </a>
      </div>
    </form>
  );
}

function Check({ label, checked, onChange }: { label: string; checked: boolean; onChange: (value: boolean) => void }) {
  return (
    <div class="field field-check">
      <label>
        <input type="checkbox" checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} />
        {label}
      </label>
    </div>
  );
}

const EMPTY: FormValues = { name: '', email: '', locale: '', communicationsOptIn: false, autoRenew: false, interventionRequired: false, interventionReason: '' };

export function MemberCreatePage() {
  const save = async (v: FormValues) => {
    const { data } = await api.post<Member & { warnings?: Warning[] }>('/api/members', {
      name: v.name.trim(),
      email: v.email.trim(),
      ...(v.locale ? { locale: v.locale } : {}),
      communicationsOptIn: v.communicationsOptIn,
      autoRenew: v.autoRenew,
    });
    pendingWarnings = { memberId: data.id, email: data.email, warnings: data.warnings ?? [] };
    flash(t('members.added', { name: data.name }));
    navigate(href(['members', data.id]));
  };
  return (
    <>
      <PageHeader title={t('members.newTitle')} subtitle={t('members.newHint')} />
      <MemberForm initial={EMPTY} withIntervention={false} submitLabel={t('members.create')} cancelHref={href(['members'])} save={save} />
    </>
  );
}

export function MemberEditPage({ memberId }: { memberId: string }) {
  const state = useLoad(() => api.get<Member>(apiPath(['members', memberId])), [memberId]);
  if (state.data === undefined) {
    return (
      <>
        <PageHeader title={t('members.editTitleLoading')} />
        <Loaded state={state}>{() => null}</Loaded>
      </>
    );
  }
  const { data: member, etag } = state.data;
  const initial: FormValues = {
    name: member.name,
    email: member.email,
    locale: member.locale ?? '',
    communicationsOptIn: member.communicationsOptIn,
    autoRenew: member.autoRenew,
    interventionRequired: member.intervention.required,
    interventionReason: member.intervention.reason ?? '',
  };
  const save = async (v: FormValues) => {
    const patch: Record<string, unknown> = {};
    if (v.name.trim() !== member.name) patch.name = v.name.trim();
    if (v.email.trim() !== member.email) patch.email = v.email.trim();
    if ((v.locale || null) !== member.locale) patch.locale = v.locale || null;
    if (v.communicationsOptIn !== member.communicationsOptIn) patch.communicationsOptIn = v.communicationsOptIn;
    if (v.autoRenew !== member.autoRenew) patch.autoRenew = v.autoRenew;
    const reason = v.interventionRequired ? v.interventionReason.trim() : '';
    if (v.interventionRequired !== member.intervention.required || (v.interventionRequired && reason !== (member.intervention.reason ?? ''))) {
      patch.intervention = v.interventionRequired ? { required: true, reason } : { required: false };
    }
    if (Object.keys(patch).length === 0) {
      flash(t('members.unchanged'));
    } else {
      const { data } = await api.patch<Member & { warnings?: Warning[] }>(apiPath(['members', member.id]), patch, etag);
      pendingWarnings = { memberId: data.id, email: data.email, warnings: data.warnings ?? [] };
      flash(t('flash.saved'));
    }
    navigate(href(['members', member.id]));
  };
  return (
    <>
      <PageHeader title={t('members.editTitle', { name: member.name })} />
      <MemberForm initial={initial} withIntervention submitLabel={t('action.save')} cancelHref={href(['members', member.id])} save={save} />
    </>
  );
}

// ---- A member's page ------------------------------------------------------------------------

export function MemberPage({ memberId }: { memberId: string }) {
  const { query } = useLocation();
  const cursor = query.get('cursor');
  const session = useSession();
  const orgLocale = session.settings?.locale;
  const [saved] = useState(() => takeWarnings(memberId));
  const [removed, setRemoved] = useState(false);
  const member = useLoad(() => api.get<Member>(apiPath(['members', memberId])), [memberId]);
  const plans = useLoad(() => api.get<{ items: Plan[] }>('/api/plans').then((a) => a.data.items), []);
  const memberships = fresh(
    useLoad(() => api.get<Page<Membership>>(apiPath(['members', memberId, 'memberships'], { cursor })).then((a) => ({ ...a.data, key: cursor ?? '' })), [memberId, cursor]),
    cursor ?? '',
  );
  const card = query.get('card');
  // Back from the gateway's card page (R-PAY-2): read the member again to show the new card.
  useEffect(() => {
    if (card) member.reload();
  }, [card]);

  if (member.data === undefined) {
    return (
      <>
        <PageHeader title={t('members.memberTitleLoading')} />
        <Loaded state={member}>{() => null}</Loaded>
      </>
    );
  }
  const { data: m, etag } = member.data;
  const plansById = new Map((plans.data ?? []).map((p) => [p.id, p]));
  const reloadAll = () => {
    member.reload();
    memberships.reload();
  };

  return (
    <>
      <PageHeader
        title={m.name}
        subtitle={m.intervention.required ? <span class="badge badge-intervention">{t('members.interventionBadge')}</span> : m.email}
        actions={
          <a class="button" href={href(['members', m.id, 'edit'])}>
            {t('action.edit')}
          </a>
        }
      />
      {saved?.warnings
        .filter((w) => w.code === 'duplicate_email')
        .map((w, i) => <DuplicateWarning key={i} email={saved.email} memberIds={w.memberIds ?? []} />)}
      {card === 'saved' ? <Alert tone="ok">{t('members.cardSavedReturn')}</Alert> : null}
      {card === 'canceled' ? <Alert tone="info">{t('members.cardCanceledReturn')}</Alert> : null}
      <div class="grid">
        <Section title={t('members.facts')}>
          <Facts
            items={[
              [t('members.email'), m.email],
              [t('members.emailDelivery'), deliveryText(m.emailDelivery)],
              [t('members.language'), languageName(m.locale, orgLocale)],
              [t('members.card'), cardText(m.paymentMethod, true)],
              [t('members.optInShort'), m.communicationsOptIn ? t('value.yes') : t('value.no')],
              [t('members.autoRenewShort'), m.autoRenew ? t('value.yes') : t('value.no')],
              [t('members.intervention'), m.intervention.required ? t('members.interventionYes', { reason: m.intervention.reason ?? '' }) : t('members.interventionNo')],
              [t('members.createdAt'), instant(m.createdAt)],
            ]}
          />
        </Section>
        <Section title={t('members.memberships')}>
          <Loaded state={memberships}>
            {(page) => (
              <>
                <TableRegion label={t('members.membershipsOf', { name: m.name })} empty={page.items.length === 0} columns={[t('members.plan'), t('members.status'), t('members.term'), t('members.nextBilling')]}>
                  <tbody>
                    {page.items.map((ms) => (
                      <tr key={ms.id}>
                        <td data-label={t('members.plan')}>
                          <a href={href(['memberships', ms.id])}>{plansById.get(ms.planId)?.name ?? t('members.membershipLink')}</a>
                        </td>
                        <td data-label={t('members.status')}>
                          <StatusBadge kind="membership" value={ms.status} />
                        </td>
                        <td data-label={t('members.term')}>{termText(ms.currentTerm)}</td>
                        <td data-label={t('members.nextBilling')}>{date(ms.nextBillingDate)}</td>
                      </tr>
                    ))}
                  </tbody>
                </TableRegion>
                <Pager cursor={cursor} nextCursor={page.nextCursor} onPage={(next) => setQuery({ cursor: next })} />
              </>
            )}
          </Loaded>
        </Section>
      </div>
      {m.erased ? <Alert tone="info">{t('members.erasedBanner', { date: instant(m.erased.at) })}</Alert> : null}
      {m.erased ? null : <Loaded state={plans}>{(items) => <StartMembership member={m} plans={items} onDone={reloadAll} />}</Loaded>}
      {m.erased ? null : <CardSetup member={m} />}
      {m.paymentMethod || removed ? (
        <RemoveCard
          member={m}
          etag={etag}
          onDone={() => {
            setRemoved(true);
            member.reload();
          }}
        />
      ) : null}
      {/* R-PRV-1: owners only (the API refuses staff too): irreversible, the organisation's privacy officer decides. */}
      {session.owner && !m.erased ? <EraseMember member={m} onDone={reloadAll} /> : null}
    </>
  );
}

/** R-PRV-1: erase the member's personal data on their request, confirmed by typing their e-mail. */
function EraseMember({ member, onDone }: { member: Member; onDone: () => void }) {
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const preview = async () => {
    const ok = confirm.trim().toLowerCase() === member.email.toLowerCase();
    setError(ok ? undefined : t('members.eraseMismatch'));
    if (!ok) throw new Error(t('members.eraseMismatch'));
    return <p>{t('members.eraseReview', { name: member.name, email: member.email })}</p>;
  };
  const perform = async () => {
    const { data } = await api.post<Member & { erasure: { gatewayCustomer: string | null } }>(apiPath(['members', member.id, 'erase']), { confirm: confirm.trim() });
    return (
      <>
        <p>{t('members.erasedDone', { name: data.name })}</p>
        {data.erasure.gatewayCustomer ? <p>{t('members.eraseGateway', { ref: data.erasure.gatewayCustomer })}</p> : null}
      </>
    );
  };
  return (
    <ActionPanel
      title={t('members.erase')}
      description={t('members.eraseHint')}
      tone="danger"
      reviewLabel={t('members.eraseReviewButton')}
      confirmLabel={t('members.eraseConfirm')}
      preview={preview}
      perform={perform}
      onDone={onDone}
      form={
        <Field label={t('members.eraseField')} error={error}>
          {(props) => <input {...props} type="email" autocomplete="off" value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} />}
        </Field>
      }
    />
  );
}

function termText(term: { start: string; end: string | null }): string {
  return term.end ? t('members.termRange', { start: date(term.start), end: date(term.end) }) : t('members.termOpen', { start: date(term.start) });
}

function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section class="card" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** R-CON-1: the plan, the price, the start and the first invoice, stated before the membership starts. */
function StartMembership({ member, plans, onDone }: { member: Member; plans: Plan[]; onDone: () => void }) {
  const session = useSession();
  const [planId, setPlanId] = useState('');
  const [start, setStart] = useState('');
  const [first, setFirst] = useState('');
  const [errors, setErrors] = useState<{ planId?: string; startDate?: string }>({});
  useEffect(() => {
    today(session.local).then(
      (d) => (setFirst(d), setStart((s) => s || d)),
      () => undefined,
    );
  }, []);
  const last = first ? addDays(first, 366) : '';

  if (plans.length === 0) {
    return (
      <Section title={t('members.start')}>
        <p class="muted">
          {t('members.noPlans')} <a href={href(['plans', 'new'])}>{t('members.newPlan')}</a>
        </p>
      </Section>
    );
  }

  const preview = async () => {
    const found: typeof errors = {};
    if (!planId) found.planId = t('members.choosePlanError');
    if (!isLocalDate(start)) found.startDate = t('field.invalidDate');
    else if (first && (start < first || start > last)) found.startDate = t('members.startRange', { first: date(first), last: date(last) });
    setErrors(found);
    if (Object.keys(found).length > 0) throw new Error(t('members.fixFields'));
    const plan = plans.find((p) => p.id === planId)!;
    const schedule = { cadence: plan.billing.cadence, anchor: plan.billing.anchor, startDate: start, termMonths: plan.termMonths };
    const termEnd = plan.termMonths ? termAt(start, plan.termMonths, 0).end : null;
    const due = amountDue(schedule, plan.price, start);
    const coversTo = plan.billing.cadence === 'upfront' ? termEnd : periodEnd(schedule, start);
    const next = nextBillingDate(schedule, start);
    const items: [string, ComponentChildren][] = [
      [t('members.member'), member.name],
      [t('members.plan'), `${plan.name} — ${priceText(plan)}`],
      [t('members.startDate'), date(start)],
      [t('members.termEnd'), termEnd ? date(termEnd) : t('members.noTermEnd')],
      [
        t('members.firstInvoice'),
        due.amount === 0
          ? t('members.noInvoice')
          : coversTo
            ? t('members.firstInvoiceCovers', { amount: money(due), start: date(start), end: date(coversTo) })
            : money(due),
      ],
      [t('members.nextBilling'), next ? t('members.nextBillingOn', { date: date(next), amount: money(plan.price) }) : t('members.noNextBilling')],
      [t('members.payment'), due.amount === 0 ? null : member.paymentMethod ? t('members.chargedTo', { card: cardText(member.paymentMethod) }) : t('members.staysOpen')],
    ];
    return <Facts items={items} />;
  };

  const perform = async () => {
    const { data } = await api.post<Membership>('/api/memberships', { memberId: member.id, planId, startDate: start });
    const plan = plans.find((p) => p.id === planId);
    return (
      <p>
        {t('members.started', { plan: plan?.name ?? '', date: date(data.currentTerm.start) })} <StatusBadge kind="membership" value={data.status} />{' '}
        <a href={href(['memberships', data.id])}>{t('members.openMembership')}</a>
      </p>
    );
  };

  return (
    <ActionPanel
      title={t('members.start')}
      description={t('members.startHint')}
      reviewLabel={t('members.startReview')}
      confirmLabel={t('members.startConfirm')}
      preview={preview}
      perform={perform}
      onDone={onDone}
      form={
        <div class="field-row">
          <Field label={t('members.plan')} error={errors.planId}>
            {(props) => (
              <select {...props} value={planId} onChange={(e) => setPlanId(e.currentTarget.value)}>
                <option value="">{t('members.choosePlan')}</option>
                {plans.map((p) => (
                  <option key={p.id} value={p.id}>
                    {`${p.name} — ${priceText(p)}`}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('members.startDate')} hint={first ? t('members.startRange', { first: date(first), last: date(last) }) : undefined} error={errors.startDate}>
            {(props) => <input {...props} type="date" value={start} min={first || undefined} max={last || undefined} onInput={(e) => setStart(e.currentTarget.value)} />}
          </Field>
        </div>
      }
    />
  );
}

/** R-PAY-2: the gateway's hosted card page for the member; staff send the link (nothing is charged). */
function CardSetup({ member }: { member: Member }) {
  const preview = async () => (
    <>
      <p>{t('members.cardSetupReview', { name: member.name, email: member.email })}</p>
      {member.paymentMethod ? <p>{t('members.cardSetupReplaces', { card: cardText(member.paymentMethod) })}</p> : null}
    </>
  );
  const perform = async () => {
    const { data } = await api.post<{ url: string; expiresAt: string }>(apiPath(['members', member.id, 'card-setup']));
    const mail = `mailto:${member.email}?${new URLSearchParams({ subject: t('members.cardMailSubject'), body: t('members.cardMailBody', { url: data.url }) })
      .toString()
      .replace(/\+/g, '%20')}`;
    return (
      <>
        <p>{t('members.cardSetupReady', { until: instant(data.expiresAt) })}</p>
        <Field label={t('members.cardSetupLink')}>{(props) => <input {...props} readOnly value={data.url} onFocus={(e) => e.currentTarget.select()} />}</Field>
        <p class="actions">
          <a href={mail}>{t('members.cardSetupMail', { email: member.email })}</a>
          <a href={data.url} target="_blank" rel="noopener noreferrer">
            {t('members.cardSetupOpen')}
          </a>
        </p>
      </>
    );
  };
  return (
    <ActionPanel
      title={t('members.cardSetup')}
      description={t('members.cardSetupHint')}
      reviewLabel={t('members.cardSetupReviewButton')}
      confirmLabel={t('members.cardSetupConfirm')}
      preview={preview}
      perform={perform}
    />
  );
}

function RemoveCard({ member, etag, onDone }: { member: Member; etag: string | null; onDone: () => void }) {
  const preview = async () => {
    if (!member.paymentMethod) throw new Error(t('members.noCardToRemove'));
    return <p>{t('members.removeCardReview', { card: cardText(member.paymentMethod, true), name: member.name })}</p>;
  };
  const perform = async () => {
    await api.patch(apiPath(['members', member.id]), { paymentMethod: null }, etag);
    return <p>{t('members.cardRemoved')}</p>;
  };
  return (
    <ActionPanel
      title={t('members.removeCard')}
      tone="danger"
      reviewLabel={t('members.removeCardReviewButton')}
      confirmLabel={t('members.removeCardConfirm')}
      preview={preview}
      perform={perform}
      onDone={onDone}
    />
  );
}
