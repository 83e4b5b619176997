import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deterministicId, newId } from '../../shared/domain/ids.js';
import { entityId, ID_KINDS, type IdPrefix } from '../../shared/domain/schema.js';

const prefixes = Object.keys(ID_KINDS) as IdPrefix[];

describe('entityId', () => {
  it('accepts every id newId and deterministicId make, of its own kind only', () => {
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.constantFrom(...prefixes), fc.date({ min: new Date('2000-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }), fc.string(), (prefix, other, at, seed) => {
        for (const id of [newId(prefix, at), deterministicId(prefix, seed, 'bill', 1)]) {
          expect(entityId(prefix).safeParse(id).success).toBe(true);
          expect(entityId(other).safeParse(id).success).toBe(other === prefix);
        }
      }),
    );
  });

  it('refuses what cannot be an id: too long, lower case, outside Crockford base32, not a string', () => {
    const id = newId('mbr', new Date('2027-01-15T12:00:00Z'));
    for (const value of [`${id}A`, id.slice(0, -1), id.toLowerCase(), `${id.slice(0, -1)}U`, ` ${id}`, `${id}\n`, `mbr_${'A'.repeat(3000)}`, '', 42, null]) {
      expect(entityId('mbr').safeParse(value).success, String(value)).toBe(false);
    }
  });

  it('names the kind of id in its message', () => {
    expect(entityId('mbr').safeParse('x').error?.issues[0]?.message).toBe('must be a member id such as mbr_01J…');
    expect(entityId('inv').safeParse('x').error?.issues[0]?.message).toBe('must be an invoice id such as inv_01J…');
  });
});
