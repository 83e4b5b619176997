import { describe, expect, it } from 'vitest';
import { TestCloud } from '../support/cloud.js';

/**
 * R-CON-3: staff find a member by the start of their name, of any word of it, or of their
 * e-mail, whatever the case and accents; a second member with the same e-mail is a warning.
 */
const cloud = TestCloud.forFile('2027-01-15T15:00:00Z');

const names = async (q: string) => ((await cloud().ok('GET', `/api/members?q=${encodeURIComponent(q)}`)).items as { name: string }[]).map((m) => m.name).sort();

describe('member search (R-CON-3)', () => {
  it('R-CON-3: finds by the start of the name, of any word of it, or of the e-mail, case and accents aside; each member once', async () => {
    for (const [name, email] of [
      ['Léa Tremblay', 'lea@example.org'],
      ['Jean-François Côté', 'jf.cote@example.org'],
      ['Léandre Gagnon', 'leandre@example.org'],
      ['Émilie Roy', 'e.roy@example.org'],
    ]) {
      await cloud().ok('POST', '/api/members', { name, email });
    }
    expect(await names('lea')).toEqual(['Léa Tremblay', 'Léandre Gagnon']);
    expect(await names('LÉA T')).toEqual(['Léa Tremblay']);
    expect(await names('trem')).toEqual(['Léa Tremblay']);
    expect(await names('francois')).toEqual(['Jean-François Côté']);
    expect(await names('cote')).toEqual(['Jean-François Côté']);
    expect(await names('jf.c')).toEqual(['Jean-François Côté']);
    expect(await names('emilie')).toEqual(['Émilie Roy']);
    expect(await names('e.roy@')).toEqual(['Émilie Roy']);
    expect(await names('zz')).toEqual([]);
    const found = await cloud().ok('GET', `/api/members?q=lea`);
    expect(found.items[0]).toMatchObject({ id: expect.stringMatching(/^mbr_/), name: expect.any(String), email: expect.stringContaining('@') });
  });

  it('R-CON-3: a corrected name or e-mail is found by the new one, no longer by the old', async () => {
    const member = await cloud().ok('POST', '/api/members', { name: 'Marc Bouchard', email: 'marc@example.org' });
    await cloud().ok('PATCH', `/api/members/${member.id}`, { name: 'Marc-André Bouchard', email: 'marcandre@example.org' });
    expect(await names('andre')).toEqual(['Marc-André Bouchard']);
    expect(await names('marc@')).toEqual([]);
    expect(await names('marcandre@')).toEqual(['Marc-André Bouchard']);
    expect(await names('bouch')).toEqual(['Marc-André Bouchard']);
  });

  it('R-CON-3: a second member with the same e-mail (case aside) is saved with a warning naming the first', async () => {
    const first = await cloud().ok('POST', '/api/members', { name: 'Chloé Roy', email: 'famille.roy@example.org' });
    expect(first.warnings).toEqual([]);
    const second = await cloud().api('POST', '/api/members', { name: 'Hugo Roy', email: 'Famille.Roy@example.org' });
    expect(second.status).toBe(201);
    expect(second.body.warnings).toEqual([{ code: 'duplicate_email', message: expect.stringContaining('Famille.Roy@example.org'), memberIds: [first.id] }]);
  });

  it('R-CON-3: an empty or overlong search is a 400 naming q', async () => {
    for (const q of ['%20%20', 'x'.repeat(101)]) {
      const reply = await cloud().api('GET', `/api/members?q=${q}`);
      expect(reply.status).toBe(400);
      expect(reply.body.error.details[0].field).toBe('q');
    }
  });
});

describe('memberships by status (R-CON-3)', () => {
  it('R-CON-3: counts per status follow purchases, cancellations and voids (one Query on the count shards)', async () => {
    const before = (await cloud().ok('GET', '/api/memberships/counts')).counts;
    const plan = await cloud().ok('POST', '/api/plans', { name: 'Monthly', price: { amount: 1000, currency: 'CAD' }, billing: { cadence: 'monthly', anchor: { type: 'purchaseDate' } } });
    const made = [];
    for (const name of ['Ana', 'Ben', 'Cy']) {
      const member = await cloud().ok('POST', '/api/members', { name, email: `${name.toLowerCase()}@count.example`, paymentMethod: { token: 'pm_card_visa' } });
      made.push(await cloud().ok('POST', '/api/memberships', { memberId: member.id, planId: plan.id }));
    }
    await cloud().ok('POST', `/api/memberships/${made[0].id}/cancel`, { month: '2027-03' });
    const ms = await cloud().membership(made[1].id);
    await cloud().ok('POST', `/api/invoices/${ms.lastInvoiceId}/void`, { refund: true });
    const after = await cloud().ok('GET', '/api/memberships/counts');
    expect(after.counts.active - before.active).toBe(1);
    expect(after.counts.cancel_scheduled - before.cancel_scheduled).toBe(1);
    expect(after.counts.voided - before.voided).toBe(1);
    expect(after.total).toBe(Object.values(before as Record<string, number>).reduce((a, b) => a + b, 0) + 3);
    // The list of a status holds what its count says.
    expect((await cloud().ok('GET', '/api/memberships?status=cancel_scheduled')).items.map((m: { id: string }) => m.id)).toContain(made[0].id);
  });
});
