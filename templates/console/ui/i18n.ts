import { amountText as amountTextIn, parseAmount as parseAmountIn } from './amounts.js';
import { formatDate, formatMoney } from '../../format.js';
import * as common from './messages/common.js';
import type * as dunning from './messages/dunning.js';
import type * as invoices from './messages/invoices.js';
import * as local from './messages/local.js';
import type * as members from './messages/members.js';
import type * as memberships from './messages/memberships.js';
import type * as plans from './messages/plans.js';
import type * as reasons from './messages/reasons.js';
import type * as renewals from './messages/renewals.js';
import type * as settings from './messages/settings.js';

/**
 * R-CON-2: the console in fr-CA and en. The organisation's locale is the default; an admin may
 * switch (kept in this browser). Money and calendar dates are formatted by the same functions
 * as the member e-mails; instants in the organisation's time zone, with its name.
 */
export type UiLocale = 'fr-CA' | 'en';
export const UI_LOCALES: readonly UiLocale[] = ['fr-CA', 'en'];

/** Every key of every catalogue (the pages' words load with their area: routes.tsx). */
type AllMessages = typeof common.en &
  typeof members.en &
  typeof memberships.en &
  typeof renewals.en &
  typeof dunning.en &
  typeof invoices.en &
  typeof plans.en &
  typeof reasons.en &
  typeof settings.en &
  typeof local.en;

const EN: Record<string, string> = { ...common.en, ...local.en };
const FR: Record<string, string> = { ...common.fr, ...local.fr };

/** Adds an area's words when its pages load. */
export function registerMessages(catalogue: { en: Record<string, string>; fr: Record<string, string> }): void {
  Object.assign(EN, catalogue.en);
  Object.assign(FR, catalogue.fr);
}

export type MessageKey = keyof AllMessages;
export type Vars = Record<string, string | number>;

const CHOICE_KEY = 'relance.locale';

let current: UiLocale = 'en';
let zone = 'UTC';

/** The admin's own choice in this browser, if any. */
export function chosenLocale(): UiLocale | null {
  const saved = localStorage.getItem(CHOICE_KEY);
  return saved === 'fr-CA' || saved === 'en' ? saved : null;
}

export function chooseLocale(locale: UiLocale): void {
  localStorage.setItem(CHOICE_KEY, locale);
}

/** Sets the locale and time zone every formatter uses (the shell calls it before rendering). */
export function setFormats(locale: UiLocale, timeZone: string): void {
  current = locale;
  zone = timeZone;
  document.documentElement.lang = locale;
}

export function locale(): UiLocale {
  return current;
}

export function timeZone(): string {
  return zone;
}

/** The message in the current locale, `{name}` placeholders filled. */
export function t(key: MessageKey, vars?: Vars): string {
  const text = (current === 'fr-CA' ? FR : EN)[key] ?? EN[key] ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole)) : text;
}

/** A key built at run time (a status value); falls back to the raw value if no word exists. */
export function tOr(key: string, fallback: string, vars?: Vars): string {
  return key in EN ? t(key as MessageKey, vars) : fallback;
}

export interface Money {
  amount: number;
  currency: string;
}

/** "25,00 $" / "$25.00" — as the member e-mails write it. */
export function money(value: Money | null | undefined): string {
  if (!value) return t('value.none');
  try {
    return formatMoney(value, current);
  } catch {
    return `${value.amount} ${value.currency}`;
  }
}

/** A calendar date (YYYY-MM-DD) in words: "1er mars 2027" / "March 1, 2027". */
export function date(value: string | null | undefined): string {
  if (!value) return t('value.none');
  try {
    return formatDate(value as Parameters<typeof formatDate>[0], current);
  } catch {
    return value;
  }
}

const instantFormats = new Map<string, Intl.DateTimeFormat>();

/** An instant in the organisation's time zone, with the zone's name: "15 janv. 2027, 10 h 00 HNE". */
export function instant(value: string | null | undefined): string {
  if (!value) return t('value.none');
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return value;
  const cacheKey = `${current}|${zone}`;
  let format = instantFormats.get(cacheKey);
  if (!format) {
    format = new Intl.DateTimeFormat(current, {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      timeZone: zone,
      timeZoneName: 'short',
    });
    instantFormats.set(cacheKey, format);
  }
  return format.format(at);
}

/** The status of a thing in words: status('membership', 'cancel_scheduled') → "Cancellation scheduled". */
export function status(kind: 'membership' | 'invoice' | 'notice' | 'dunning', value: string): string {
  return tOr(`status.${kind}.${value}`, value.replace(/_/g, ' '));
}

/** "25", "25.5", "25,50" → minor units; null when the text is not an amount. */
export const parseAmount = parseAmountIn;

/** 2550 CAD → "25.50" (en) or "25,50" (fr-CA), for an input in the current locale. */
export function amountText(value: Money): string {
  return amountTextIn(value, current);
}
