import { describe, expect, it } from 'vitest';
import { deadlineOf, executionNameOf, logged, median, nextRetryDay, runTicks } from '../../shared/domain/dunning.js';

const run = (days: number[], startedAt: string, startDay: string, kind: 'failed_payment' | 'offline_invoice' = 'failed_payment') => ({ kind, days, startedAt, startDay });
const view = (ticks: ReturnType<typeof runTicks>) => ticks.map((t) => `${t.kind}${t.n ? t.n : ''}@${t.at}`);

describe('the ticks of a dunning run (R-DUN-2, R-DUN-3, R-DUN-6)', () => {
  it('R-DUN-2: the default ladder retries at 10:00 on days 3, 8 and 13; the final warning at 09:00 two days before the last; the final action right after it', () => {
    const ticks = runTicks(run([3, 8, 13], '2027-01-15T15:00:00.000Z', '2027-01-15'), 'America/Toronto');
    expect(view(ticks)).toEqual([
      'retry1@2027-01-18T15:00:00.000Z',
      'retry2@2027-01-23T15:00:00.000Z',
      'warning@2027-01-26T14:00:00.000Z',
      'retry3@2027-01-28T15:00:00.000Z',
      'final@2027-01-28T15:00:00.000Z',
    ]);
    expect(deadlineOf({ startDay: '2027-01-15', days: [3, 8, 13] })).toBe('2027-01-28');
    expect(nextRetryDay(ticks, 0, 'America/Toronto')).toBe('2027-01-18');
    expect(nextRetryDay(ticks, 2, 'America/Toronto')).toBe('2027-01-28');
    expect(nextRetryDay(ticks, 4, 'America/Toronto')).toBeNull();
  });

  it('R-DUN-3: with retries a day apart the final warning still comes between the last two retries', () => {
    const ticks = runTicks(run([1, 2], '2027-01-15T15:00:00.000Z', '2027-01-15'), 'America/Toronto');
    // Two days before the last retry is the first failure's day: the warning waits an hour after retry 1.
    expect(view(ticks)).toEqual(['retry1@2027-01-16T15:00:00.000Z', 'warning@2027-01-16T16:00:00.000Z', 'retry2@2027-01-17T15:00:00.000Z', 'final@2027-01-17T15:00:00.000Z']);
  });

  it('R-DUN-3: a single retry still has its final warning before it', () => {
    const ticks = runTicks(run([1], '2027-01-15T23:30:00.000Z', '2027-01-15'), 'America/Toronto');
    expect(view(ticks)).toEqual(['warning@2027-01-16T00:30:00.000Z', 'retry1@2027-01-16T15:00:00.000Z', 'final@2027-01-16T15:00:00.000Z']);
  });

  it('R-DUN-2: retries keep 10:00 organisation time across a daylight-saving change', () => {
    const ticks = runTicks(run([3, 8, 13], '2027-03-10T15:00:00.000Z', '2027-03-10'), 'America/Toronto');
    // Toronto moves to daylight time on March 14: 10:00 is 15:00Z before, 14:00Z after.
    expect(view(ticks).filter((t) => t.startsWith('retry'))).toEqual(['retry1@2027-03-13T15:00:00.000Z', 'retry2@2027-03-18T14:00:00.000Z', 'retry3@2027-03-23T14:00:00.000Z']);
  });

  it('R-DUN-9: an offline invoice has one reminder per offset at 09:00 and no retry', () => {
    expect(view(runTicks(run([7, 14], '2027-02-15T05:00:00.000Z', '2027-02-15', 'offline_invoice'), 'America/Toronto'))).toEqual([
      'reminder1@2027-02-22T14:00:00.000Z',
      'reminder2@2027-03-01T14:00:00.000Z',
    ]);
  });

  it('R-DUN-1: an execution name is the organisation and invoice, within Step Functions\' 80 characters of [A-Za-z0-9_-]', () => {
    expect(executionNameOf('club', 'inv_01ABC', 'failed_payment')).toBe('club-inv_01ABC');
    expect(executionNameOf('club', 'inv_01ABC', 'offline_invoice')).toBe('club-inv_01ABC-offline');
    const long = executionNameOf('o'.repeat(64), 'inv_x.y', 'failed_payment');
    expect(long).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});

describe('the card log (R-DUN-2)', () => {
  it('R-DUN-2: keeps the last 30 days of attempts, at most 40, and the version it was read at', () => {
    const ref = { orgId: 'club', memberId: 'mbr_1', card: 'pm_1' };
    const first = logged(null, ref, '2027-01-01T15:00:00.000Z');
    expect(first).toMatchObject({ attempts: ['2027-01-01T15:00:00.000Z'], version: 0 });
    const later = logged({ ...first, version: 3 }, ref, '2027-02-01T15:00:00.000Z');
    expect(later).toMatchObject({ attempts: ['2027-02-01T15:00:00.000Z'], version: 3 });
  });

  it('R-DUN-10: the median of days to recovery', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
