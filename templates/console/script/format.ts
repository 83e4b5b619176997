import { MINOR_UNITS } from '../../../shared/domain/currency.js';

/**
 * Browser script, part 2: formatting and parsing. Money is in minor units with an ISO
 * currency; dates (YYYY-MM-DD) are shown as given; instants in the browser's locale.
 * The ISO 4217 minor-unit table is written in as JSON from shared/domain/currency.ts, so the
 * console and the e-mails count the same digits.
 */
export const formatScript = String.raw`
// ---- Formatting -----------------------------------------------------------------------------

/** Digits of each currency's ISO 4217 minor unit, by code. */
const MINOR_UNITS = new Map(Object.entries(${JSON.stringify(MINOR_UNITS)}));

/** Digits of a currency's minor unit: 2 for CAD, 0 for JPY, 3 for KWD. */
function fractionDigits(currency) {
  // Not an ISO currency: the API will say so; display as cents meanwhile.
  return MINOR_UNITS.has(currency) ? MINOR_UNITS.get(currency) : 2;
}

/** Money in the browser's locale with exactly the ISO number of decimals: HUF 250000 → "HUF 2,500.00". */
function formatMoney(money) {
  if (!money) return '—';
  const digits = fractionDigits(money.currency);
  const major = money.amount / 10 ** digits;
  try {
    return new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency: money.currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(major);
  } catch (error) {
    return major.toFixed(digits) + ' ' + money.currency;
  }
}

/** 2500 CAD → "25.00", for an input. */
function majorUnitsText(money) {
  const digits = fractionDigits(money.currency);
  return (money.amount / 10 ** digits).toFixed(digits);
}

/**
 * "25", "25.5" or "25,50" CAD → 2550. Text that is not an amount is returned as it is, so the
 * API's own validation names the field.
 */
function minorUnits(text, currency) {
  const match = /^\s*(\d+)(?:[.,](\d*))?\s*$/.exec(text);
  const digits = fractionDigits(currency);
  if (!match || (match[2] || '').length > digits) return text;
  return Number(match[1]) * 10 ** digits + Number((match[2] || '').padEnd(digits, '0') || '0');
}

function formatInstant(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

function instant(iso) {
  return iso ? h('time', { datetime: iso, title: iso }, formatInstant(iso)) : '—';
}

/** "30, 14 3" → [30, 14, 3]; anything that is not a whole number is kept for the API to refuse. */
function parseIntList(text) {
  return text
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((part) => (/^-?\d+$/.test(part) ? Number(part) : part));
}

function parseInteger(text) {
  const trimmed = text.trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed === '' ? null : trimmed;
}

function base64Url(bytes) {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decodeBase64Url(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

function paymentMethodText(pm) {
  if (!pm) return 'No card on file';
  const expiry = String(pm.expMonth).padStart(2, '0') + '/' + pm.expYear;
  return pm.brand + ' •••• ' + pm.last4 + ' (expires ' + expiry + ')';
}

function actorText(actor) {
  return actor ? actor.type + (actor.id ? ' · ' + actor.id : '') : '—';
}
`;
