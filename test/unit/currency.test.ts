import { describe, expect, it } from 'vitest';
import { isIsoCurrency, MINOR_UNITS, minorUnits } from '../../shared/domain/currency.js';
import { currency, money } from '../../shared/domain/schema.js';
import { amountText, parseAmount } from '../../templates/console/ui/amounts.js';
import { currencyFractionDigits, formatMoney } from '../../templates/format.js';

// Money is in ISO 4217 minor units (SPEC §8.1); Intl's display digits are not the unit.
const ISO_CODES = Object.keys(MINOR_UNITS);
const NOT_MONEY = ['XAU', 'XAG', 'XPT', 'XPD', 'XDR', 'XBA', 'XBB', 'XBC', 'XBD', 'XSU', 'XUA', 'XTS', 'XXX'];

describe('ISO 4217 minor-unit table', () => {
  it('§8.1: lists exactly the ISO exceptions to two digits (0, 3 and 4)', () => {
    const withDigits = (digits: number) => ISO_CODES.filter((code) => MINOR_UNITS[code] === digits).sort();

    expect(withDigits(0)).toEqual(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
    expect(withDigits(3)).toEqual(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);
    expect(withDigits(4)).toEqual(['CLF', 'UYW']);
    expect(ISO_CODES.filter((code) => ![0, 2, 3, 4].includes(MINOR_UNITS[code]!))).toEqual([]);
  });

  it('§8.1: holds only three-letter codes, each once, with the current replacements of withdrawn ones', () => {
    for (const code of ISO_CODES) expect(code).toMatch(/^[A-Z]{3}$/);
    expect(ISO_CODES.length).toBeGreaterThan(150);
    for (const current of ['XCG', 'ZWG', 'SLE', 'VES', 'VED', 'MRU', 'STN']) expect(isIsoCurrency(current), current).toBe(true);
    for (const withdrawn of ['ANG', 'ZWL', 'SLL', 'HRK', 'VEF', 'MRO', 'STD']) expect(isIsoCurrency(withdrawn), withdrawn).toBe(false);
  });

  it('§8.1: has no metal, fund unit or testing code whose minor unit is N.A.', () => {
    for (const code of NOT_MONEY) expect(isIsoCurrency(code), code).toBe(false);
  });
});

describe('minorUnits', () => {
  it('§8.1: HUF, IDR, COP and PKR have two minor digits, though Intl displays them with none', () => {
    for (const code of ['HUF', 'IDR', 'COP', 'PKR']) expect(minorUnits(code), code).toBe(2);
  });

  it('§8.1: IQD has three minor digits, though Intl displays it with none', () => {
    expect(minorUnits('IQD')).toBe(3);
  });

  it('§8.1: JPY has none, CAD two, KWD three and CLF four', () => {
    expect(minorUnits('JPY')).toBe(0);
    expect(minorUnits('CAD')).toBe(2);
    expect(minorUnits('KWD')).toBe(3);
    expect(minorUnits('CLF')).toBe(4);
  });

  it('§8.1: MGA and MRU count two digits, as ISO writes them, although their subunit is a fifth', () => {
    expect(minorUnits('MGA')).toBe(2);
    expect(minorUnits('MRU')).toBe(2);
  });

  it('§8.1: throws for a code that is not an ISO currency, rather than guessing its unit', () => {
    for (const code of ['XAU', 'XTS', 'XYZ', 'cad', '', 'constructor']) expect(() => minorUnits(code), code).toThrow(RangeError);
  });

  it('§8.1: is what the templates count as fraction digits', () => {
    for (const code of ISO_CODES) expect(currencyFractionDigits(code), code).toBe(MINOR_UNITS[code]);
  });
});

describe('currency schema', () => {
  it('§8.1: accepts every code of the table', () => {
    for (const code of ISO_CODES) expect(currency.safeParse(code).success, code).toBe(true);
  });

  it('§8.1: refuses XAU and XTS with the ISO message', () => {
    for (const code of ['XAU', 'XTS']) {
      const parsed = money.safeParse({ amount: 100, currency: code });

      expect(parsed.success, code).toBe(false);
      expect(parsed.error?.issues).toEqual([expect.objectContaining({ path: ['currency'], message: 'must be an ISO 4217 currency code such as CAD' })]);
    }
  });

  it('§8.1: refuses every code Intl knows that is not in the table (metals, funds, withdrawn, lower case)', () => {
    const others = [...Intl.supportedValuesOf('currency'), ...NOT_MONEY, 'cad', 'XYZ'].filter((code) => !Object.hasOwn(MINOR_UNITS, code));

    expect(others.length).toBeGreaterThan(NOT_MONEY.length);
    for (const code of others) expect(currency.safeParse(code).success, code).toBe(false);
  });
});

describe('formatMoney', () => {
  it('§8.1: HUF 250000 minor units shows as 2,500.00', () => {
    expect(formatMoney({ amount: 250000, currency: 'HUF' }, 'en')).toBe('HUF\u00a02,500.00');
    expect(formatMoney({ amount: 250000, currency: 'HUF' }, 'fr-CA')).toBe('2\u00a0500,00\u00a0HUF');
  });

  it('§8.1: IDR, COP and PKR 250000 minor units show as 2,500.00', () => {
    for (const code of ['IDR', 'COP', 'PKR']) {
      expect(formatMoney({ amount: 250000, currency: code }, 'en')).toBe(`${code}\u00a02,500.00`);
      expect(formatMoney({ amount: 250000, currency: code }, 'fr-CA')).toBe(`2\u00a0500,00\u00a0${code}`);
    }
  });

  it('§8.1: IQD 2500 minor units shows as 2.500 (three decimals)', () => {
    expect(formatMoney({ amount: 2500, currency: 'IQD' }, 'en')).toBe('IQD\u00a02.500');
    expect(formatMoney({ amount: 2500, currency: 'IQD' }, 'fr-CA')).toBe('2,500\u00a0IQD');
  });

  it('§8.1: JPY 500 minor units shows as 500 yen, no decimals', () => {
    expect(formatMoney({ amount: 500, currency: 'JPY' }, 'en')).toBe('¥500');
    expect(formatMoney({ amount: 500, currency: 'JPY' }, 'fr-CA')).toBe('500\u00a0¥');
  });

  it('§8.1: KWD 1234 minor units shows as 1.234', () => {
    expect(formatMoney({ amount: 1234, currency: 'KWD' }, 'en')).toBe('KWD\u00a01.234');
    expect(formatMoney({ amount: 1234, currency: 'KWD' }, 'fr-CA')).toBe('1,234\u00a0KWD');
  });

  it('§8.1: CLF 12345 minor units shows as 1.2345 (four decimals)', () => {
    expect(formatMoney({ amount: 12345, currency: 'CLF' }, 'en')).toBe('CLF\u00a01.2345');
    expect(formatMoney({ amount: 12345, currency: 'CLF' }, 'fr-CA')).toBe('1,2345\u00a0CLF');
  });

  it('§8.1: CAD 2500 minor units shows as 25.00', () => {
    expect(formatMoney({ amount: 2500, currency: 'CAD' }, 'en')).toBe('CA$25.00');
    expect(formatMoney({ amount: 2500, currency: 'CAD' }, 'fr-CA')).toBe('25,00\u00a0$');
  });
});

describe('console amounts (templates/console/ui/amounts.ts)', () => {
  // The console shows money with formatMoney itself (templates/format.ts, as the e-mails); what
  // it adds is reading what an admin types and writing amounts back into an input.
  const AMOUNT = 1234567;

  for (const language of ['en', 'fr-CA'] as const) {
    it(`§8.1: writes and reads back every currency of the table with its ISO number of decimals (${language})`, () => {
      for (const code of ISO_CODES) {
        const digits = minorUnits(code);
        const text = amountText({ amount: AMOUNT, currency: code }, language);
        const expected = digits === 0 ? String(AMOUNT) : `${String(AMOUNT).slice(0, -digits)}${language === 'fr-CA' ? ',' : '.'}${String(AMOUNT).slice(-digits)}`;

        expect(text, code).toBe(expected);
        expect(parseAmount(text, code), code).toBe(AMOUNT);
      }
    });
  }

  it('§8.1: reads "2500" HUF as 250000 minor units and refuses a third decimal', () => {
    expect(parseAmount('2500', 'HUF')).toBe(250000);
    expect(parseAmount('2500,5', 'HUF')).toBe(250050);
    expect(parseAmount('2.500', 'IQD')).toBe(2500);
    expect(parseAmount('2500.001', 'HUF')).toBeNull();
  });
});
