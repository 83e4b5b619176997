import { describe, expect, it } from 'vitest';
import { TestCloud } from '../support/cloud.js';

/**
 * R-NOT-3: the organisation's editable list of refusal reasons, through the admin API of the
 * local cloud: added, renamed, retired (never deleted), bilingual labels, no two active reasons
 * saying the same thing.
 */
const cloud = TestCloud.forFile('2027-01-15T15:00:00Z');

describe('refusal reasons (R-NOT-3)', () => {
  it('R-NOT-3: staff add reasons with labels per locale; the list shows them in the order added', async () => {
    const first = await cloud().api('POST', '/api/refusal-reasons', { label: 'Cotisation impayée', labels: { 'fr-CA': 'Cotisation impayée', en: 'Unpaid dues' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ id: expect.stringMatching(/^rsn_/), label: 'Cotisation impayée', labels: { en: 'Unpaid dues' }, retired: false, version: 1 });
    expect(first.body).not.toHaveProperty('orgId');
    const second = await cloud().ok('POST', '/api/refusal-reasons', { label: 'A quitté la région' });
    const list = await cloud().ok('GET', '/api/refusal-reasons');
    expect(list.items.map((r: { id: string }) => r.id)).toEqual([first.body.id, second.id]);
  });

  it('R-NOT-3: a label that only differs by case, accents or spacing is the same reason: 409, nothing added', async () => {
    const before = (await cloud().ok('GET', '/api/refusal-reasons')).items.length;
    const twin = await cloud().api('POST', '/api/refusal-reasons', { label: '  cotisation   IMPAYEE ' });
    expect(twin.status).toBe(409);
    expect(twin.body.error).toMatchObject({ code: 'refusal_reason_exists', details: [expect.objectContaining({ field: 'label' })] });
    expect((await cloud().ok('GET', '/api/refusal-reasons')).items).toHaveLength(before);
  });

  it('R-NOT-3: bad input is a 400 naming the field and changes nothing', async () => {
    const before = await cloud().ok('GET', '/api/refusal-reasons?retired=include');
    for (const [body, field] of [
      [{}, 'label'],
      [{ label: '   ' }, 'label'],
      [{ label: 'x'.repeat(201) }, 'label'],
      [{ label: 'Déménagé', labels: { de: 'Umgezogen' } }, 'labels'],
      [{ label: 'Déménagé', colour: 'red' }, ''],
    ] as const) {
      const reply = await cloud().api('POST', '/api/refusal-reasons', body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.body.error.details.map((d: { field: string }) => d.field).join(','), JSON.stringify(body)).toContain(field);
    }
    expect((await cloud().api('GET', '/api/refusal-reasons?retired=maybe')).status).toBe(400);
    expect((await cloud().api('GET', '/api/refusal-reasons/rsn_nope')).status).toBe(404);
    expect((await cloud().api('PATCH', '/api/refusal-reasons/rsn_01ZZZZZZZZZZZZZZZZZZZZZZZZ', { retired: true })).status).toBe(404);
    expect(await cloud().ok('GET', '/api/refusal-reasons?retired=include')).toEqual(before);
  });

  it('R-NOT-3: retiring takes a reason off the list staff pick from (it is kept), guarded by If-Match; it can come back', async () => {
    const reason = await cloud().ok('POST', '/api/refusal-reasons', { label: 'Comportement' });
    const stale = await cloud().api('PATCH', `/api/refusal-reasons/${reason.id}`, { retired: true }, { 'if-match': '"99"' });
    expect(stale.status).toBe(409);
    const retired = await cloud().api('PATCH', `/api/refusal-reasons/${reason.id}`, { retired: true }, { 'if-match': `"${reason.version}"` });
    expect(retired.status).toBe(200);
    expect(retired.body).toMatchObject({ retired: true, version: reason.version + 1 });
    expect((await cloud().ok('GET', '/api/refusal-reasons')).items.map((r: { id: string }) => r.id)).not.toContain(reason.id);
    const all = (await cloud().ok('GET', '/api/refusal-reasons?retired=include')).items;
    expect(all.at(-1)).toMatchObject({ id: reason.id, retired: true });
    // A retired label can be used again by a new reason; the old one then cannot come back beside it.
    const again = await cloud().ok('POST', '/api/refusal-reasons', { label: 'comportement' });
    const back = await cloud().api('PATCH', `/api/refusal-reasons/${reason.id}`, { retired: false });
    expect(back.status).toBe(409);
    await cloud().ok('PATCH', `/api/refusal-reasons/${again.id}`, { label: 'Comportement inapproprié', labels: { en: 'Inappropriate behaviour' } });
    expect((await cloud().ok('PATCH', `/api/refusal-reasons/${reason.id}`, { retired: false })).retired).toBe(false);
  });

  it('R-NOT-3: a patch that changes nothing is refused; renaming into another active label is a 409', async () => {
    const [a, b] = (await cloud().ok('GET', '/api/refusal-reasons')).items;
    expect((await cloud().api('PATCH', `/api/refusal-reasons/${a.id}`, {})).status).toBe(400);
    expect((await cloud().api('PATCH', `/api/refusal-reasons/${b.id}`, { label: a.label.toUpperCase() })).status).toBe(409);
    expect((await cloud().ok('GET', `/api/refusal-reasons/${b.id}`)).label).toBe(b.label);
  });
});
