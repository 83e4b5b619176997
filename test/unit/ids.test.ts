import { describe, expect, it } from 'vitest';
import { deterministicId, ID_PATTERN, newId } from '../../shared/domain/ids.js';

describe('ids', () => {
  it('are ULIDs with a type prefix that sort by creation time', () => {
    const a = newId('ms', new Date('2027-01-01T00:00:00Z'));
    const b = newId('ms', new Date('2027-01-01T00:00:01Z'));
    expect(a).toMatch(ID_PATTERN);
    expect(a < b).toBe(true);
  });

  it('increase within one millisecond and under a stopped clock, so events keep their order', () => {
    const at = new Date('2030-05-05T05:05:05Z');
    const ids = Array.from({ length: 500 }, () => newId('evt', at));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(500);
    expect(newId('evt', new Date('2030-05-05T05:05:04Z')) > ids.at(-1)!).toBe(true);
  });

  it('derive the same id from the same parts, and another id from other parts', () => {
    expect(deterministicId('inv', 'ms_1', 'bill', '2027-02-01')).toBe(deterministicId('inv', 'ms_1', 'bill', '2027-02-01'));
    expect(deterministicId('inv', 'ms_1', 'bill', '2027-02-01')).not.toBe(deterministicId('inv', 'ms_1', 'bill', '2027-03-01'));
    expect(deterministicId('inv', 'ms_1', 'bill', '2027-02-01')).toMatch(ID_PATTERN);
  });
});
