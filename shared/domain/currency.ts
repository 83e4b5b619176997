/**
 * Currencies (SPEC §8.1): money is an amount in the currency's ISO 4217 minor unit. How many
 * digits that unit has comes from this table, never from Intl: CLDR shows HUF, IDR, COP and PKR
 * without decimals and IQD with none, where ISO 4217 gives them 2 and 3. The admin console is
 * compiled with this same module (templates/console/ui/amounts.ts).
 */

// Source: ISO 4217 List One (SIX, the maintenance agency) as current in 2026, less the codes whose minor unit is N.A.
const CODES_BY_MINOR_UNITS: Readonly<Record<0 | 2 | 3 | 4, readonly string[]>> = {
  0: ['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'],
  2: [
    'AED', 'AFN', 'ALL', 'AMD', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT', 'BMD', 'BND', 'BOB', 'BOV',
    'BRL', 'BSD', 'BTN', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF', 'CHE', 'CHF', 'CHW', 'CNY', 'COP', 'COU', 'CRC', 'CUC',
    'CUP', 'CVE', 'CZK', 'DKK', 'DOP', 'DZD', 'EGP', 'ERN', 'ETB', 'EUR', 'FJD', 'FKP', 'GBP', 'GEL', 'GHS', 'GIP',
    'GMD', 'GTQ', 'GYD', 'HKD', 'HNL', 'HTG', 'HUF', 'IDR', 'ILS', 'INR', 'IRR', 'JMD', 'KES', 'KGS', 'KHR', 'KPW',
    'KYD', 'KZT', 'LAK', 'LBP', 'LKR', 'LRD', 'LSL', 'MAD', 'MDL', 'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MRU', 'MUR',
    'MVR', 'MWK', 'MXN', 'MXV', 'MYR', 'MZN', 'NAD', 'NGN', 'NIO', 'NOK', 'NPR', 'NZD', 'PAB', 'PEN', 'PGK', 'PHP',
    'PKR', 'PLN', 'QAR', 'RON', 'RSD', 'RUB', 'SAR', 'SBD', 'SCR', 'SDG', 'SEK', 'SGD', 'SHP', 'SLE', 'SOS', 'SRD',
    'SSP', 'STN', 'SVC', 'SYP', 'SZL', 'THB', 'TJS', 'TMT', 'TOP', 'TRY', 'TTD', 'TWD', 'TZS', 'UAH', 'USD', 'USN',
    'UYU', 'UZS', 'VED', 'VES', 'WST', 'XCD', 'XCG', 'YER', 'ZAR', 'ZMW', 'ZWG',
  ],
  3: ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'],
  4: ['CLF', 'UYW'],
};

/**
 * Digits of the minor unit of every currency the API accepts, by ISO 4217 code: CAD 2, JPY 0,
 * KWD 3, CLF 4. Plain data, so it can be written into the console's script as JSON.
 */
export const MINOR_UNITS: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(
    Object.entries(CODES_BY_MINOR_UNITS).flatMap(([digits, codes]) => codes.map((code) => [code, Number(digits)] as const)),
  ),
);

/** Whether a code is an ISO 4217 currency a member can pay in (not a metal, fund unit or test code). */
export function isIsoCurrency(code: string): boolean {
  return Object.hasOwn(MINOR_UNITS, code);
}

/**
 * Digits of a currency's ISO 4217 minor unit: an amount of 250000 HUF is 2,500.00 forints.
 * Any other code is a programming error (the schema refuses it on the way in) and throws.
 */
export function minorUnits(currency: string): number {
  if (!isIsoCurrency(currency)) throw new RangeError(`not an ISO 4217 currency code: ${JSON.stringify(currency)}`);
  return MINOR_UNITS[currency]!;
}
