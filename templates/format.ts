import { parseLocalDate, type LocalDate } from '../shared/domain/calendar.js';
import { minorUnits } from '../shared/domain/currency.js';
import type { Locale, Money } from '../shared/domain/schema.js';

/**
 * Formatting shared by the e-mail templates and the link pages: escaping, header-safe text,
 * calendar dates, money, card brands, URLs and the branding colours.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML element body or a double-quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * Text safe for a single-line header such as a subject: line breaks, tabs and other control
 * characters become one space.
 */
export function headerText(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/**
 * A calendar date as words in the locale: fr-CA "15 mars 2027" (and "1er mars 2027", as
 * Quebec writes the first of the month), en "March 15, 2027". The date is formatted at UTC
 * midnight in UTC, so the process time zone can never move it to another day.
 */
export function formatDate(date: LocalDate, locale: Locale): string {
  const { year, month, day } = parseLocalDate(date);
  const instant = new Date(Date.UTC(year, month - 1, day));
  instant.setUTCFullYear(year);
  const formatted = dateFormat(locale).format(instant);
  return locale === 'fr-CA' && day === 1 ? formatted.replace(/^1(?=\s)/, '1er') : formatted;
}

const dateFormats = new Map<Locale, Intl.DateTimeFormat>();
function dateFormat(locale: Locale): Intl.DateTimeFormat {
  let format = dateFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
    dateFormats.set(locale, format);
  }
  return format;
}

/**
 * How many digits a currency's minor unit has (CAD 2, JPY 0, KWD 3), as ISO 4217 says: Intl's
 * display digits differ for some (HUF, IDR, COP, PKR, IQD), and amounts count ISO minor units.
 */
export function currencyFractionDigits(currency: string): number {
  return minorUnits(currency);
}

/**
 * Money from minor units, in the locale, with exactly the ISO number of decimals: fr-CA
 * "25,00 $", en "CA$25.00", JPY 500 "¥500", HUF 250000 "HUF 2,500.00".
 */
export function formatMoney(money: Money, locale: Locale): string {
  const digits = currencyFractionDigits(money.currency);
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: money.currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(money.amount / 10 ** digits);
}

const CARD_BRANDS: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  american_express: 'American Express',
  discover: 'Discover',
  diners: 'Diners Club',
  jcb: 'JCB',
  unionpay: 'UnionPay',
  interac: 'Interac',
};

/** A gateway's card brand ("visa", "amex") as people write it ("Visa", "American Express"). */
export function cardBrandName(brand: string): string {
  const key = brand.trim().toLowerCase().replace(/[\s-]+/g, '_');
  const known = CARD_BRANDS[key];
  if (known) return known;
  const trimmed = brand.trim();
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}

/**
 * Checks that a link the templates put in an `href` is an absolute http(s) URL and returns it
 * unchanged (the caller escapes it). Anything else (`javascript:`, relative, malformed) is a
 * programming error and throws, rather than producing a mail with a dangerous or dead link.
 */
export function checkedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`not an absolute URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new RangeError(`only http(s) links are allowed, got ${JSON.stringify(parsed.protocol)}`);
  }
  return url;
}

/** A `mailto:` URL for an address, percent-encoding what would change its meaning. */
export function mailtoUrl(address: string): string {
  return `mailto:${encodeURIComponent(address.trim()).replace(/%40/g, '@')}`;
}

export const DEFAULT_PRIMARY_COLOR = '#1f5a96';
const WHITE = '#ffffff';
const BLACK = '#000000';

export interface BrandColors {
  /** The branding colour (or the default), for the button and accents. */
  primary: string;
  /** White or black, whichever contrasts more with `primary` (always at least 4.58:1). */
  onPrimary: string;
  /** `primary`, darkened if needed until it reads on white (WCAG AA, 4.5:1). */
  link: string;
}

/** The colours to use for a branding's primary colour; anything but `#rgb`/`#rrggbb` is ignored. */
export function brandColors(primaryColor: string | undefined): BrandColors {
  const primary = normaliseHex(primaryColor) ?? DEFAULT_PRIMARY_COLOR;
  const onPrimary = contrastRatio(primary, WHITE) >= contrastRatio(primary, BLACK) ? WHITE : BLACK;
  let link = primary;
  for (let factor = 0.9; contrastRatio(link, WHITE) < 4.5 && factor > 0; factor -= 0.1) {
    link = scale(primary, factor);
  }
  return { primary, onPrimary, link };
}

function normaliseHex(color: string | undefined): string | null {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color?.trim() ?? '');
  if (!m) return null;
  const hex = m[1]!.toLowerCase();
  return hex.length === 3 ? `#${[...hex].map((c) => c + c).join('')}` : `#${hex}`;
}

function channels(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

function scale(hex: string, factor: number): string {
  return `#${channels(hex)
    .map((c) => Math.round(c * Math.max(factor, 0)).toString(16).padStart(2, '0'))
    .join('')}`;
}

function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio between two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
