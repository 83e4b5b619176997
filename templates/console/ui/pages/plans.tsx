import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { isIsoCurrency } from '../../../../shared/domain/currency.js';
import { api, ApiError, apiPath, type ErrorDetail } from '../api.js';
import { Alert, Button, ErrorAlert, Facts, Field, Loaded, PageHeader, TableRegion, flash, useLoad } from '../components.js';
import { amountText, instant, locale, type MessageKey, type Money, money, parseAmount, t, type Vars } from '../i18n.js';
import { href, navigate } from '../router.js';
import type { PageProps } from '../routes.js';
import { useSession } from '../session.js';

/**
 * Plans (issue 11): the list, a plan's facts in words, and one form for creating and editing
 * that covers every field of the plan: price, term, billing, renewal (reminders or a notice),
 * member cancellation, the dunning ladder and its final action, the card-expiry notice. The
 * form checks the shape of what is typed; the API judges the rules (R-REN-5, R-REN-8, R-DUN-2,
 * R-DUN-6), and a refusal is explained in words next to the field it is about. An edit is
 * reviewed (what changes, and what that means for memberships already sold) before it is saved.
 */

type Cadence = 'monthly' | 'upfront';
type Policy = 'none' | 'automatic' | 'confirmation' | 'notice';
type FinalAction = 'cancel' | 'downgrade' | 'leave_unpaid';

export interface PlanBody {
  name: string;
  price: Money;
  termMonths?: number;
  billing: { cadence: Cadence; anchor: { type: 'fixedDay'; day: number } | { type: 'purchaseDate' } };
  renewal?: { policy: Policy; reminderDays: number[]; notice?: { sendDaysBefore: number; remindAfterDays: number } };
  cancellation: { memberMode: 'immediate' | 'request' };
  dunning: { retryDays: number[]; finalAction: FinalAction; fallbackPlanId: string | null };
  cardExpiryNoticeDays: number;
}

export interface Plan extends PlanBody {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

const POLICIES: Policy[] = ['automatic', 'confirmation', 'notice', 'none'];
const FINAL_ACTIONS: FinalAction[] = ['cancel', 'downgrade', 'leave_unpaid'];

// ---- Words ------------------------------------------------------------------------------------

/** "30, 14 and 3" in the console's language. */
function dayList(days: number[]): string {
  return new Intl.ListFormat(locale(), { style: 'long', type: 'conjunction' }).format(days.map(String));
}

/** "the membership ends…" → "The membership ends….", for a hint. */
function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function count(one: MessageKey, many: MessageKey, n: number, vars: Vars = {}): string {
  return t(n === 1 ? one : many, { n, ...vars });
}

export function priceText(plan: PlanBody): string {
  const amount = money(plan.price);
  if (plan.billing.cadence === 'monthly') return t('plans.price.monthly', { amount });
  return plan.termMonths ? t('plans.price.term', { amount }) : t('plans.price.once', { amount });
}

function termText(plan: PlanBody): string {
  return plan.termMonths ? count('plans.term.one', 'plans.term.many', plan.termMonths) : t('plans.term.none');
}

function dayOfMonth(day: number): string {
  return locale() === 'fr-CA' && day === 1 ? '1er' : String(day);
}

function billingText(plan: PlanBody): string {
  const { cadence, anchor } = plan.billing;
  // Upfront plans are charged at each term start: the anchor does not apply to them.
  if (cadence === 'upfront') return plan.termMonths ? t('plans.billing.upfrontTerm') : t('plans.billing.upfrontOnce');
  return anchor.type === 'fixedDay' ? t('plans.billing.monthlyDay', { day: dayOfMonth(anchor.day) }) : t('plans.billing.monthlyPurchase');
}

function policyOf(plan: PlanBody): Policy | null {
  return plan.termMonths ? (plan.renewal?.policy ?? 'none') : null;
}

function policyShort(plan: PlanBody): string {
  const policy = policyOf(plan);
  return policy ? t(`plans.policy.${policy}`) : t('plans.renewal.noTerm');
}

function renewalText(plan: PlanBody): string {
  const policy = policyOf(plan);
  if (!policy) return t('plans.renewal.noTerm');
  const renewal = plan.renewal;
  const parts = [t(`plans.renewal.${policy}`)];
  if (policy === 'notice' && renewal?.notice) {
    parts.push(t('plans.renewal.noticeDays', { send: renewal.notice.sendDaysBefore, remind: renewal.notice.remindAfterDays }));
  } else if (policy !== 'none') {
    const days = renewal?.reminderDays ?? [];
    parts.push(days.length > 0 ? t('plans.renewal.reminders', { days: dayList(days) }) : t('plans.renewal.noReminders'));
  }
  return parts.join(' ');
}

function cancellationText(plan: PlanBody): string {
  return t(`plans.memberMode.${plan.cancellation.memberMode}.long`);
}

function dunningText(plan: PlanBody, plans: Plan[]): string {
  const { retryDays, finalAction, fallbackPlanId } = plan.dunning;
  const fallback = plans.find((p) => p.id === fallbackPlanId);
  const then = t(`plans.final.${finalAction}.long`, { plan: fallback?.name ?? fallbackPlanId ?? '' });
  return t('plans.dunning.text', { days: dayList(retryDays), then });
}

function cardExpiryText(plan: PlanBody): string {
  return count('plans.cardExpiry.one', 'plans.cardExpiry.many', plan.cardExpiryNoticeDays);
}

/** Each aspect of a plan in words, for the facts and for an edit's review. */
function aspects(plan: PlanBody, plans: Plan[]): [string, string][] {
  return [
    [t('plans.field.name'), plan.name],
    [t('plans.col.price'), priceText(plan)],
    [t('plans.col.term'), termText(plan)],
    [t('plans.col.billing'), billingText(plan)],
    [t('plans.col.renewal'), renewalText(plan)],
    [t('plans.col.cancellation'), cancellationText(plan)],
    [t('plans.col.dunning'), dunningText(plan, plans)],
    [t('plans.col.cardExpiry'), cardExpiryText(plan)],
  ];
}

// ---- Errors next to fields ------------------------------------------------------------------

/** The API's detail about exactly this field (or one of `aliases`). */
function detailFor(error: unknown, field: string, aliases: string[] = []): ErrorDetail | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.details.find((d) => d.field === field || (d.field !== undefined && aliases.includes(d.field)));
}

/**
 * A refusal next to its field: the rule in the admin's words when the console knows it
 * (`words[rule]`), else the API's text; the rule id after it.
 */
export function explain(error: unknown, field: string, words: Record<string, string | undefined>, aliases: string[] = []): string | undefined {
  const detail = detailFor(error, field, aliases);
  if (!detail) return undefined;
  const known = detail.rule ? words[detail.rule] : words[''];
  if (known) return detail.rule ? `${known} (${detail.rule})` : known;
  return detail.message + (detail.rule ? ` (${detail.rule})` : '');
}

/**
 * The box above a form after a refusal: when every detail sits next to a field, a short
 * title pointing at them; otherwise the full error.
 */
export function FormError({ error, fields, refused, placed = false }: { error: unknown; fields: string[]; refused: string; placed?: boolean }) {
  if (error === undefined) return null;
  if (error instanceof ApiError) {
    if (error.code === 'concurrent_modification') return <Alert tone="error" title={t('error.version_conflict')} />;
    const inline = placed || (error.details.length > 0 && error.details.every((d) => d.field !== undefined && fields.includes(d.field)));
    if (inline) return <Alert tone="error" title={error.status === 422 ? refused : t('error.validation_failed')} />;
  }
  return <ErrorAlert error={error} fields={fields} />;
}

/** After a refusal, the keyboard focus goes to the first field marked invalid (R-CON-4). */
export function useInvalidFocus(form: { current: HTMLFormElement | null }, error: unknown): void {
  useEffect(() => {
    if (error !== undefined) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error]);
}

// ---- The form ---------------------------------------------------------------------------------

interface Draft {
  name: string;
  amount: string;
  currency: string;
  term: string;
  cadence: Cadence;
  anchor: 'fixedDay' | 'purchaseDate';
  day: string;
  policy: Policy;
  reminders: string;
  sendDays: string;
  remindAfter: string;
  memberMode: 'immediate' | 'request';
  retries: string;
  finalAction: FinalAction;
  fallback: string;
  cardDays: string;
}

const NEW_DRAFT: Draft = {
  name: '',
  amount: '',
  currency: 'CAD',
  term: '12',
  cadence: 'monthly',
  anchor: 'fixedDay',
  day: '1',
  policy: 'automatic',
  reminders: '30, 14, 3',
  sendDays: '45',
  remindAfter: '7',
  memberMode: 'immediate',
  retries: '3, 8, 13',
  finalAction: 'cancel',
  fallback: '',
  cardDays: '14',
};

function draftOf(plan: PlanBody): Draft {
  const notice = plan.renewal?.notice;
  return {
    name: plan.name,
    amount: amountText(plan.price),
    currency: plan.price.currency,
    term: plan.termMonths ? String(plan.termMonths) : '',
    cadence: plan.billing.cadence,
    anchor: plan.billing.anchor.type,
    day: plan.billing.anchor.type === 'fixedDay' ? String(plan.billing.anchor.day) : '1',
    policy: plan.renewal?.policy ?? 'none',
    reminders: (plan.renewal?.reminderDays ?? []).join(', '),
    sendDays: String(notice?.sendDaysBefore ?? NEW_DRAFT.sendDays),
    remindAfter: String(notice?.remindAfterDays ?? NEW_DRAFT.remindAfter),
    memberMode: plan.cancellation.memberMode,
    retries: plan.dunning.retryDays.join(', '),
    finalAction: plan.dunning.finalAction,
    fallback: plan.dunning.fallbackPlanId ?? '',
    cardDays: String(plan.cardExpiryNoticeDays),
  };
}

function wholeNumber(text: string): number | null {
  return /^\s*\d{1,6}\s*$/.test(text) ? Number(text) : null;
}

/** "30, 14 3" → [30, 14, 3]; null when a piece is not a whole number. */
function numberList(text: string): number[] | null {
  const pieces = text.split(/[\s,;]+/).filter(Boolean);
  const numbers = pieces.map(wholeNumber);
  return numbers.every((n): n is number => n !== null) ? numbers : null;
}

/** The shape checks, in words, by the API's field names; empty when the draft can be sent. */
function checkDraft(d: Draft): Record<string, string> {
  const errors: Record<string, string> = {};
  const range = (field: string, text: string, min: number, max: number) => {
    const n = wholeNumber(text);
    if (text.trim() === '') errors[field] = t('field.required');
    else if (n === null || n < min || n > max) errors[field] = t('plans.error.range', { min, max });
  };
  const days = (field: string, text: string, max: number, most: number, required: boolean) => {
    const list = numberList(text);
    if (list === null || list.some((n) => n < 1 || n > max)) errors[field] = t('plans.error.days', { max });
    else if (list.length === 0 && required) errors[field] = t('field.required');
    else if (list.length > most) errors[field] = t('plans.error.tooMany', { most });
    else if (new Set(list).size !== list.length) errors[field] = t('plans.error.repeated');
  };
  if (!d.name.trim()) errors.name = t('field.required');
  const currency = d.currency.trim().toUpperCase();
  if (!isIsoCurrency(currency)) errors['price.currency'] = t('plans.error.currency');
  if (!d.amount.trim()) errors['price.amount'] = t('field.required');
  else if (parseAmount(d.amount, isIsoCurrency(currency) ? currency : 'CAD') === null) errors['price.amount'] = t('field.invalidAmount');
  if (d.term.trim() !== '') range('termMonths', d.term, 1, 120);
  if (d.cadence === 'monthly' && d.anchor === 'fixedDay') range('billing.anchor.day', d.day, 1, 28);
  if (d.term.trim() !== '') {
    if (d.policy === 'automatic' || d.policy === 'confirmation') days('renewal.reminderDays', d.reminders, 365, 10, false);
    if (d.policy === 'notice') {
      range('renewal.notice.sendDaysBefore', d.sendDays, 1, 365);
      range('renewal.notice.remindAfterDays', d.remindAfter, 1, 90);
    }
  }
  days('dunning.retryDays', d.retries, 120, 8, true);
  if (d.finalAction === 'downgrade' && !d.fallback) errors['dunning.fallbackPlanId'] = t('field.required');
  range('cardExpiryNoticeDays', d.cardDays, 1, 60);
  return errors;
}

/** The POST/PUT body from a checked draft: only the fields that apply. */
function bodyOf(d: Draft): PlanBody {
  const currency = d.currency.trim().toUpperCase();
  const day = wholeNumber(d.day);
  const body: PlanBody = {
    name: d.name.trim(),
    price: { amount: parseAmount(d.amount, currency)!, currency },
    // An upfront plan bills at each term start: its anchor is kept as it was (or the purchase date).
    billing: { cadence: d.cadence, anchor: d.anchor === 'fixedDay' && day !== null && day >= 1 && day <= 28 ? { type: 'fixedDay', day } : { type: 'purchaseDate' } },
    cancellation: { memberMode: d.memberMode },
    dunning: { retryDays: numberList(d.retries)!, finalAction: d.finalAction, fallbackPlanId: d.finalAction === 'downgrade' ? d.fallback : null },
    cardExpiryNoticeDays: wholeNumber(d.cardDays)!,
  };
  const term = wholeNumber(d.term);
  if (term !== null) {
    body.termMonths = term;
    body.renewal = { policy: d.policy, reminderDays: d.policy === 'automatic' || d.policy === 'confirmation' ? numberList(d.reminders)! : [] };
    if (d.policy === 'notice') body.renewal.notice = { sendDaysBefore: wholeNumber(d.sendDays)!, remindAfterDays: wholeNumber(d.remindAfter)! };
  }
  return body;
}

/** Every field the form shows next to its input (the API's names). */
const FIELDS = [
  'name',
  'price',
  'price.amount',
  'price.currency',
  'termMonths',
  'billing.cadence',
  'billing.anchor',
  'billing.anchor.day',
  'renewal',
  'renewal.policy',
  'renewal.reminderDays',
  'renewal.notice',
  'renewal.notice.sendDaysBefore',
  'renewal.notice.remindAfterDays',
  'cancellation.memberMode',
  'dunning.retryDays',
  'dunning.finalAction',
  'dunning.fallbackPlanId',
  'cardExpiryNoticeDays',
];

/** The rules the API may cite about a field, in the admin's words (the draft gives the numbers). */
function ruleWords(d: Draft): Record<string, Record<string, string>> {
  const term = wholeNumber(d.term) ?? 0;
  return {
    termMonths: { 'R-REN-1': t('plans.rule.REN1'), 'R-REN-8': t('plans.rule.REN8') },
    'renewal.policy': { 'R-REN-5': t('plans.rule.REN5.policy'), 'R-REN-8': t('plans.rule.REN8') },
    'renewal.reminderDays': { 'R-REN-2': t('plans.rule.REN2'), 'R-REN-5': t('plans.rule.REN5.reminders'), '': t('plans.error.repeated') },
    'renewal.notice.sendDaysBefore': { 'R-REN-5': t('plans.rule.REN5.send', { max: term * 28, n: term }) },
    'dunning.retryDays': { 'R-DUN-2': t('plans.rule.DUN2') },
    'dunning.fallbackPlanId': { 'R-DUN-6': t('plans.rule.DUN6') },
  };
}

function PlanForm({
  initial,
  plans,
  planId,
  error,
  busy,
  submitLabel,
  cancelHref,
  onSubmit,
}: {
  initial: Draft;
  plans: Plan[];
  planId?: string;
  error: unknown;
  busy: boolean;
  submitLabel: string;
  cancelHref: string;
  onSubmit: (body: PlanBody, draft: Draft) => void;
}) {
  const [d, setDraft] = useState<Draft>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));
  const form = useRef<HTMLFormElement>(null);
  useInvalidFocus(form, error);
  const words = ruleWords(d);
  // Client errors first; else the API's, explained (a renewal refusal shows at the policy, a term one at the term).
  const apiError = Object.keys(errors).length > 0 ? undefined : error;
  const err = (field: string, aliases: string[] = []) => errors[field] ?? explain(apiError, field, words[field] ?? {}, aliases);
  const hasTerm = d.term.trim() !== '';
  const upfront = d.cadence === 'upfront';
  const fallbacks = plans.filter((p) => p.id !== planId);
  const quebec = useSession().settings?.jurisdiction === 'QC';
  const policyHint = [t(`plans.renewal.${d.policy}`), d.policy === 'notice' ? t('plans.hint.noticeUpfront') : '', quebec && d.policy === 'none' ? t('plans.hint.quebec') : ''].join(' ').trim();

  const submit = (event: Event) => {
    event.preventDefault();
    const found = checkDraft(d);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      (event.currentTarget as HTMLFormElement).querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    onSubmit(bodyOf(d), d);
  };

  const text = (value: string, onInput: (v: string) => void, extra: Record<string, unknown> = {}) => (props: Record<string, unknown>) => (
    <input {...props} {...extra} value={value} onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)} />
  );
  const select = <T extends string>(value: T, options: [T, string][], onChange: (v: T) => void) => (props: Record<string, unknown>) => (
    <select {...props} value={value} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value as T)}>
      {options.map(([v, label]) => (
        <option key={v} value={v}>
          {label}
        </option>
      ))}
    </select>
  );

  return (
    <form class="card" ref={form} onSubmit={submit} noValidate>
      <FormError error={apiError} fields={FIELDS} refused={t('plans.refused')} />
      <fieldset>
        <legend>{t('plans.section.plan')}</legend>
        <Field label={t('plans.field.name')} error={err('name')}>
          {text(d.name, (name) => set({ name }), { maxLength: 200, autoComplete: 'off' })}
        </Field>
        <div class="field-row">
          <Field label={t('plans.field.amount')} hint={upfront ? (hasTerm ? t('plans.hint.amountTerm') : t('plans.hint.amountOnce')) : t('plans.hint.amountMonthly')} error={err('price.amount', ['price'])}>
            {text(d.amount, (amount) => set({ amount }), { inputMode: 'decimal', autoComplete: 'off' })}
          </Field>
          <Field label={t('plans.field.currency')} hint={t('plans.hint.currency')} error={err('price.currency')}>
            {text(d.currency, (currency) => set({ currency }), { maxLength: 3, autoComplete: 'off' })}
          </Field>
          <Field label={t('plans.field.term')} optional hint={t('plans.hint.term')} error={err('termMonths', ['renewal'])}>
            {text(d.term, (term) => set({ term }), { inputMode: 'numeric', autoComplete: 'off' })}
          </Field>
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('plans.section.billing')}</legend>
        <div class="field-row">
          <Field label={t('plans.field.cadence')} hint={upfront ? (hasTerm ? t('plans.billing.upfrontTerm') : t('plans.billing.upfrontOnce')) : t('plans.hint.cadence')} error={err('billing.cadence')}>
            {select<Cadence>(
              d.cadence,
              [
                ['monthly', t('plans.cadence.monthly')],
                ['upfront', t('plans.cadence.upfront')],
              ],
              (cadence) => set({ cadence }),
            )}
          </Field>
          {upfront ? null : (
            <Field label={t('plans.field.anchor')} error={err('billing.anchor')}>
              {select<Draft['anchor']>(
                d.anchor,
                [
                  ['fixedDay', t('plans.anchorChoice.fixedDay')],
                  ['purchaseDate', t('plans.anchorChoice.purchaseDate')],
                ],
                (anchor) => set({ anchor }),
              )}
            </Field>
          )}
          {!upfront && d.anchor === 'fixedDay' ? (
            <Field label={t('plans.field.day')} hint={t('plans.hint.day')} error={err('billing.anchor.day')}>
              {text(d.day, (day) => set({ day }), { inputMode: 'numeric', autoComplete: 'off' })}
            </Field>
          ) : null}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('plans.section.renewal')}</legend>
        {hasTerm ? (
          <>
            <Field label={t('plans.field.policy')} hint={policyHint} error={err('renewal.policy', ['renewal.notice'])}>
              {select<Policy>(
                d.policy,
                POLICIES.map((p) => [p, t(`plans.policy.${p}`)]),
                (policy) => set({ policy }),
              )}
            </Field>
            {d.policy === 'automatic' || d.policy === 'confirmation' ? (
              <Field label={t('plans.field.reminders')} optional hint={t('plans.hint.reminders')} error={err('renewal.reminderDays')}>
                {text(d.reminders, (reminders) => set({ reminders }), { autoComplete: 'off' })}
              </Field>
            ) : null}
            {d.policy === 'notice' ? (
              <div class="field-row">
                <Field label={t('plans.field.sendDays')} hint={t('plans.hint.sendDays')} error={err('renewal.notice.sendDaysBefore')}>
                  {text(d.sendDays, (sendDays) => set({ sendDays }), { inputMode: 'numeric', autoComplete: 'off' })}
                </Field>
                <Field label={t('plans.field.remindAfter')} hint={t('plans.hint.remindAfter')} error={err('renewal.notice.remindAfterDays')}>
                  {text(d.remindAfter, (remindAfter) => set({ remindAfter }), { inputMode: 'numeric', autoComplete: 'off' })}
                </Field>
              </div>
            ) : null}
          </>
        ) : (
          <p class="muted">{t('plans.hint.noTerm')}</p>
        )}
      </fieldset>
      <fieldset>
        <legend>{t('plans.section.cancellation')}</legend>
        <Field label={t('plans.field.memberMode')} hint={t(`plans.memberMode.${d.memberMode}.long`)} error={err('cancellation.memberMode')}>
          {select<Draft['memberMode']>(
            d.memberMode,
            [
              ['immediate', t('plans.memberMode.immediate')],
              ['request', t('plans.memberMode.request')],
            ],
            (memberMode) => set({ memberMode }),
          )}
        </Field>
      </fieldset>
      <fieldset>
        <legend>{t('plans.section.dunning')}</legend>
        <Field label={t('plans.field.retries')} hint={t('plans.hint.retries')} error={err('dunning.retryDays')}>
          {text(d.retries, (retries) => set({ retries }), { autoComplete: 'off' })}
        </Field>
        <div class="field-row">
          <Field label={t('plans.field.finalAction')} hint={sentence(t(`plans.final.${d.finalAction}.long`, { plan: fallbacks.find((p) => p.id === d.fallback)?.name ?? '…' }))} error={err('dunning.finalAction')}>
            {select<FinalAction>(
              d.finalAction,
              FINAL_ACTIONS.map((a) => [a, t(`plans.final.${a}`)]),
              (finalAction) => set({ finalAction }),
            )}
          </Field>
          {d.finalAction === 'downgrade' ? (
            <Field label={t('plans.field.fallback')} hint={t('plans.hint.fallback')} error={err('dunning.fallbackPlanId')}>
              {select<string>(
                d.fallback,
                [['', t('plans.choosePlan')], ...fallbacks.map((p): [string, string] => [p.id, `${p.name} — ${priceText(p)}`])],
                (fallback) => set({ fallback }),
              )}
            </Field>
          ) : null}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('plans.section.cardExpiry')}</legend>
        <Field label={t('plans.field.cardDays')} hint={t('plans.hint.cardDays')} error={err('cardExpiryNoticeDays')}>
          {text(d.cardDays, (cardDays) => set({ cardDays }), { inputMode: 'numeric', autoComplete: 'off' })}
        </Field>
      </fieldset>
      <div class="form-actions">
        <Button kind="primary" type="submit" busy={busy}>
          {submitLabel}
        </Button>
        <a href={cancelHref}>{t('action.cancel')}</a>
      </div>
    </form>
  );
}

// ---- Pages ------------------------------------------------------------------------------------

async function loadPlans(): Promise<Plan[]> {
  return (await api.get<{ items: Plan[] }>('/api/plans')).data.items;
}

export function PlansPage() {
  const state = useLoad(loadPlans, []);
  const cols = [t('plans.field.name'), t('plans.col.price'), t('plans.col.term'), t('plans.col.billing'), t('plans.col.renewal')];
  return (
    <>
      <PageHeader
        title={t('plans.title')}
        subtitle={t('plans.subtitle')}
        actions={
          <a class="button primary" href={href(['plans', 'new'])}>
            {t('plans.new')}
          </a>
        }
      />
      <Loaded state={state}>
        {(plans) => (
          <TableRegion label={t('plans.title')} empty={plans.length === 0} columns={cols}>
            <tbody>
              {plans.map((p) => (
                <tr key={p.id}>
                  <td data-label={cols[0]}>
                    <a href={href(['plans', p.id])}>{p.name}</a>
                  </td>
                  <td data-label={cols[1]}>{priceText(p)}</td>
                  <td data-label={cols[2]}>{termText(p)}</td>
                  <td data-label={cols[3]}>{billingText(p)}</td>
                  <td data-label={cols[4]}>{policyShort(p)}</td>
                </tr>
              ))}
            </tbody>
          </TableRegion>
        )}
      </Loaded>
    </>
  );
}

export function PlanPage({ planId = '' }: PageProps) {
  const state = useLoad(() => Promise.all([api.get<Plan>(apiPath(['plans', planId])), loadPlans()]), [planId]);
  const plan = state.data?.[0].data;
  return (
    <>
      <PageHeader
        title={plan?.name ?? t('plans.one')}
        subtitle={plan ? <small>{t('plans.idLine', { id: plan.id })}</small> : undefined}
        actions={
          <>
            <a href={href(['plans'])}>{t('plans.all')}</a>
            {plan ? (
              <a class="button primary" href={href(['plans', planId, 'edit'])}>
                {t('action.edit')}
              </a>
            ) : null}
          </>
        }
      />
      <Loaded state={state}>
        {([{ data: p }, plans]) => (
          <section class="card facts-pairs" aria-labelledby="plan-terms">
            <h2 id="plan-terms">{t('plans.terms')}</h2>
            <Facts items={[...aspects(p, plans).slice(1), [t('plans.updated'), instant(p.updatedAt)]]} />
          </section>
        )}
      </Loaded>
    </>
  );
}

export function PlanCreatePage() {
  const state = useLoad(loadPlans, []);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const create = async (body: PlanBody) => {
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.post<Plan>('/api/plans', body);
      flash(t('plans.created', { name: created.data.name }));
      navigate(href(['plans', created.data.id]));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <>
      <PageHeader title={t('plans.new')} />
      <Loaded state={state}>
        {(plans) => (
          <PlanForm initial={NEW_DRAFT} plans={plans} error={error} busy={busy} submitLabel={t('plans.create')} cancelHref={href(['plans'])} onSubmit={create} />
        )}
      </Loaded>
    </>
  );
}

/**
 * R-CON-1: an edit is reviewed first (each aspect that changes, before → after, and what it
 * means for memberships already sold), then saved with If-Match.
 */
export function PlanEditPage({ planId = '' }: PageProps) {
  const state = useLoad(() => Promise.all([api.get<Plan>(apiPath(['plans', planId])), loadPlans()]), [planId]);
  const [review, setReview] = useState<{ body: PlanBody; draft: Draft } | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const save = async (body: PlanBody, etag: string | null) => {
    setBusy(true);
    setError(undefined);
    try {
      await api.put<Plan>(apiPath(['plans', planId]), body, etag);
      flash(t('plans.saved'));
      navigate(href(['plans', planId]));
    } catch (e) {
      setError(e);
      setReview(null);
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title={state.data ? t('plans.editTitle', { name: state.data[0].data.name }) : t('plans.one')} />
      <Loaded state={state}>
        {([found, plans]) => {
          const plan = found.data;
          if (review) {
            const before = aspects(plan, plans);
            const after = aspects(review.body, plans);
            const changes = after.flatMap(([label, value], i) => (value === before[i]![1] ? [] : [[label, before[i]![1], value] as const]));
            return (
              <ReviewBox
                changes={changes}
                busy={busy}
                onConfirm={() => save(review.body, found.etag)}
                onBack={() => {
                  setDraft(review.draft);
                  setReview(null);
                }}
              />
            );
          }
          return (
            <PlanForm
              initial={draft ?? draftOf(plan)}
              plans={plans}
              planId={planId}
              error={error}
              busy={busy}
              submitLabel={t('plans.review')}
              cancelHref={href(['plans', planId])}
              onSubmit={(body, d) => {
                setError(undefined);
                setDraft(d);
                setReview({ body, draft: d });
              }}
            />
          );
        }}
      </Loaded>
    </>
  );
}

function ReviewBox({ changes, busy, onConfirm, onBack }: { changes: (readonly [string, string, string])[]; busy: boolean; onConfirm: () => void; onBack: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const none = changes.length === 0;
  let list: ComponentChildren;
  if (none) list = <p>{t('plans.review.none')}</p>;
  else
    list = (
      <dl class="facts">
        {changes.map(([label, before, after]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>
              <span class="muted">{t('plans.review.was', { value: before })}</span>
              <br />
              {t('plans.review.now', { value: after })}
            </dd>
          </div>
        ))}
      </dl>
    );
  return (
    <section class="card facts-pairs" aria-labelledby="plan-review">
      <h2 id="plan-review" tabIndex={-1} ref={heading}>
        {t('confirm.title')}
      </h2>
      {list}
      {none ? null : <p class="muted">{t('plans.review.effect')}</p>}
      <div class="form-actions">
        {none ? null : (
          <Button kind="primary" busy={busy} onClick={onConfirm}>
            {t('plans.save')}
          </Button>
        )}
        <Button kind="link" disabled={busy} onClick={onBack}>
          {t('plans.review.back')}
        </Button>
      </div>
    </section>
  );
}
