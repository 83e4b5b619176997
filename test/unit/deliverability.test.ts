import { describe, expect, it } from 'vitest';
import { blocksMail, deliveryOf } from '../../shared/domain/member.js';
import { nextMemberStatus, outcomeOf, rank, refOfTags } from '../../shared/use-cases/deliverability.js';

const NOW = new Date('2027-02-01T12:00:00Z');
const mail = { messageId: 'm-1', tags: { 'relance-org': ['o'], 'relance-membership': ['ms_1'], 'relance-mail': ['eml_1'] } };

describe('R-OPS-1: reading SES events', () => {
  it('R-OPS-1: a permanent bounce names its type, sub-type and diagnostic; a transient one is not permanent', () => {
    const hard = outcomeOf(
      { eventType: 'Bounce', mail, bounce: { bounceType: 'Permanent', bounceSubType: 'General', timestamp: '2027-02-01T11:00:00.000Z', bouncedRecipients: [{ emailAddress: 'x@y.example', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }] } },
      NOW,
    );
    expect(hard).toEqual({ status: 'bounced', at: '2027-02-01T11:00:00.000Z', detail: 'Permanent/General: smtp; 550 5.1.1 user unknown', permanent: true });
    const soft = outcomeOf({ eventType: 'Bounce', mail, bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull' } }, NOW);
    expect(soft).toEqual({ status: 'bounced', at: NOW.toISOString(), detail: 'Transient/MailboxFull', permanent: false });
  });

  it('R-OPS-1: complaints, rejections, deliveries and delays are read; Open, Click and unknown types are not recorded', () => {
    expect(outcomeOf({ eventType: 'Complaint', mail, complaint: { complaintFeedbackType: 'abuse' } }, NOW)?.status).toBe('complained');
    expect(outcomeOf({ eventType: 'Reject', mail, reject: { reason: 'Bad content' } }, NOW)).toEqual(expect.objectContaining({ status: 'rejected', detail: 'Bad content' }));
    expect(outcomeOf({ eventType: 'Delivery', mail }, NOW)?.status).toBe('delivered');
    expect(outcomeOf({ eventType: 'DeliveryDelay', mail, deliveryDelay: { delayType: 'MailboxFull' } }, NOW)?.status).toBe('delayed');
    for (const eventType of ['Open', 'Click', 'Rendering Failure', 'Subscription', undefined]) expect(outcomeOf({ eventType, mail }, NOW)).toBeNull();
  });

  it('R-OPS-1: only mail Relance tagged is found again', () => {
    expect(refOfTags(mail.tags)).toEqual({ orgId: 'o', membershipId: 'ms_1', id: 'eml_1' });
    expect(refOfTags({ 'relance-org': ['o'] })).toBeNull();
    expect(refOfTags(undefined)).toBeNull();
  });

  it('R-OPS-1: a mail\'s outcome only goes further (a late delay or delivery after a bounce changes nothing)', () => {
    const at = NOW.toISOString();
    const order = [
      { status: 'delayed', at, detail: null, permanent: false },
      { status: 'delivered', at, detail: null, permanent: false },
      { status: 'bounced', at, detail: null, permanent: false },
      { status: 'bounced', at, detail: null, permanent: true },
      { status: 'rejected', at, detail: null, permanent: true },
      { status: 'complained', at, detail: null, permanent: true },
    ] as const;
    for (let i = 1; i < order.length; i++) expect(rank(order[i]), order[i]!.status).toBeGreaterThan(rank(order[i - 1]));
    expect(rank(null)).toBe(0);
  });
});

describe('R-OPS-1: the member address status', () => {
  const at = NOW.toISOString();
  const hard = { status: 'bounced', at, detail: null, permanent: true } as const;
  const soft = { status: 'bounced', at, detail: null, permanent: false } as const;
  const complaint = { status: 'complained', at, detail: null, permanent: true } as const;
  const delivered = { status: 'delivered', at, detail: null, permanent: false } as const;

  it('R-OPS-1: a permanent bounce suppresses, a transient one marks bouncing, a complaint marks complained, a delivery clears bouncing', () => {
    expect(nextMemberStatus('deliverable', hard)).toBe('suppressed');
    expect(nextMemberStatus('deliverable', soft)).toBe('bouncing');
    expect(nextMemberStatus('deliverable', complaint)).toBe('complained');
    expect(nextMemberStatus('bouncing', delivered)).toBe('deliverable');
    expect(nextMemberStatus('bouncing', hard)).toBe('suppressed');
    expect(nextMemberStatus('complained', hard)).toBe('suppressed');
  });

  it('R-OPS-1: nothing lifts a suppression or a complaint but a corrected address', () => {
    expect(nextMemberStatus('suppressed', delivered)).toBeNull();
    expect(nextMemberStatus('suppressed', soft)).toBeNull();
    expect(nextMemberStatus('suppressed', complaint)).toBeNull();
    expect(nextMemberStatus('complained', delivered)).toBeNull();
    expect(nextMemberStatus('complained', soft)).toBeNull();
    expect(nextMemberStatus('deliverable', delivered)).toBeNull();
  });

  it('R-OPS-1: the status is about one address: a corrected e-mail (any case aside) is deliverable again', () => {
    const emailDelivery = { status: 'suppressed' as const, email: 'Lea@Example.org', at, reason: 'Permanent/General', emailId: 'eml_1' };
    expect(deliveryOf({ email: 'lea@example.org', emailDelivery }).status).toBe('suppressed');
    expect(deliveryOf({ email: 'lea.tremblay@example.org', emailDelivery })).toEqual({ status: 'deliverable', email: 'lea.tremblay@example.org', at: null, reason: null, emailId: null });
    expect(deliveryOf({ email: 'lea@example.org' }).status).toBe('deliverable');
    expect([blocksMail('deliverable'), blocksMail('bouncing'), blocksMail('complained'), blocksMail('suppressed')]).toEqual([false, false, true, true]);
  });
});
