import { minorUnits } from '../../../shared/domain/currency.js';

/**
 * Amounts typed by an admin and shown back in an input, in minor units of an ISO currency.
 * DOM-free, so unit tests import it directly.
 */
export function fractionDigitsOf(currency: string): number {
  try {
    return minorUnits(currency);
  } catch {
    return 2; // not an ISO currency: the API names the field
  }
}

/** "25", "25.5", "25,50" → minor units of the currency; null when the text is not an amount. */
export function parseAmount(text: string, currency: string): number | null {
  const match = /^\s*(\d{1,9})(?:[.,](\d*))?\s*$/.exec(text);
  const digits = fractionDigitsOf(currency);
  if (!match || (match[2] ?? '').length > digits) return null;
  return Number(match[1]) * 10 ** digits + Number((match[2] ?? '').padEnd(digits, '0') || '0');
}

/** 2550 CAD → "25.50" (en) or "25,50" (fr-CA), for an input. */
export function amountText(value: { amount: number; currency: string }, locale: 'fr-CA' | 'en'): string {
  const digits = fractionDigitsOf(value.currency);
  const text = (value.amount / 10 ** digits).toFixed(digits);
  return locale === 'fr-CA' ? text.replace('.', ',') : text;
}

/** Bytes as unpadded base64url (PKCE verifier, challenge and state). */
export function base64Url(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let text = '';
  for (const b of view) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url text (a JWT segment) → UTF-8 text. */
export function decodeBase64Url(text: string): string {
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}
