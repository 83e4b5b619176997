import { describe, expect, it } from 'vitest';
import { pseudonymOf } from '../../shared/domain/member.js';
import { csv, csvCell } from '../../shared/use-cases/exports.js';
import { redact } from '../../shared/use-cases/privacy.js';

describe('CSV cells (R-PRV-2)', () => {
  it('R-PRV-2: RFC 4180: a cell with a comma, a quote or a line break is quoted, quotes doubled; others are bare', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('Dupont, Jean')).toBe('"Dupont, Jean"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(12)).toBe('12');
  });

  it('R-PRV-2: a text cell that a spreadsheet would run as a formula is prefixed with an apostrophe', () => {
    for (const text of ['=1+1', '+33 1 23', '-2', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(text).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('=HYPERLINK("x","y")')).toBe(`"'=HYPERLINK(""x"",""y"")"`);
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('R-PRV-2: a file starts with the UTF-8 BOM, has a header row and ends every line with CRLF', () => {
    const text = csv(['id', 'name'], [['1', 'Émilie'], ['2', 'a,b']]);
    expect(Buffer.from(text, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(text).toBe('\uFEFFid,name\r\n1,Émilie\r\n2,"a,b"\r\n');
  });
});

describe('redaction (R-PRV-1)', () => {
  const who = { name: 'Zoé Lavoie', email: 'zoe@example.org' };
  const alias = pseudonymOf('mbr_01MCCXSNC04W1S9XT4WQPQKX3F');

  it('R-PRV-1: the pseudonym comes from the id only, the same every time', () => {
    expect(alias).toBe('Erased member KX3F');
    expect(pseudonymOf('mbr_01MCCXSNC04W1S9XT4WQPQKX3F')).toBe(alias);
  });

  it('R-PRV-1: the name and e-mail are replaced wherever they appear, case aside, and personal keys are emptied; the rest is kept', () => {
    const event = {
      id: 'evt_1',
      type: 'email_queued',
      data: { to: 'ZOE@example.org', note: 'Called zoé lavoie today', memberName: 'Z. L.', message: 'Please call me', amount: { amount: 12000, currency: 'CAD' }, list: ['zoe@example.org'] },
    };
    expect(redact(event, who, alias)).toEqual({
      id: 'evt_1',
      type: 'email_queued',
      data: { to: '[erased]', note: `Called ${alias} today`, memberName: alias, message: '[erased]', amount: { amount: 12000, currency: 'CAD' }, list: ['[erased]'] },
    });
  });

  it('R-PRV-1: a value without personal data comes back equal', () => {
    const value = { id: 'inv_1', description: 'Annual 2027-01-15 to 2028-01-14', amount: { amount: 100, currency: 'CAD' }, nothing: null };
    expect(redact(value, who, alias)).toEqual(value);
  });
});
