import { BadRequestException, SendEmailCommand, type SendEmailCommandInput, SESv2Client, SESv2ServiceException, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SesMailer } from '../../shared/adapters/ses/mailer.js';
import type { OutgoingEmail } from '../../shared/ports/mailer.js';
import { LocalClock } from '../../infra/local/clock.js';
import { type AcceptedMessage, type LocalSes, type SesEventBridgeEvent, type SesFault, startLocalSes } from '../../infra/local/ses.js';
import { SesIdentities } from '../../shared/adapters/ses/identities.js';
import { IdentityExistsError } from '../../shared/ports/identities.js';
import { LOCAL_AWS } from '../support/aws.js';

// The decoder mailparser and nodemailer use: an RFC 2047 implementation independent of ours.
const libmime = createRequire(import.meta.url)('libmime') as { decodeWords(text: string): string };

const START = new Date('2027-03-01T14:00:00Z');

/** Display name (decoded) and addr-spec of a stored mailbox string. */
function decodeMailbox(mailbox: string): { name: string; address: string } {
  const m = /^(.*) <([^<>]+)>$/.exec(mailbox);
  if (!m) return { name: '', address: mailbox };
  return { name: libmime.decodeWords(m[1]!.replace(/^"(.*)"$/, '$1')), address: m[2]! };
}

/** A SendEmail as the SDK would send it, to change one field at a time. */
function rawInput(overrides: Partial<SendEmailCommandInput> = {}): SendEmailCommandInput {
  return {
    FromEmailAddress: 'membres@club.example',
    Destination: { ToAddresses: ['lea@example.org'] },
    Content: { Simple: { Subject: { Data: 'Renouvellement', Charset: 'UTF-8' }, Body: { Text: { Data: 'Bonjour', Charset: 'UTF-8' } } } },
    ...overrides,
  };
}

const email: OutgoingEmail = {
  from: { name: 'Club de curling de Québec', email: 'membres@curling-québec.ca' },
  to: [{ name: 'Léa Tremblay', email: 'lea@example.org' }],
  replyTo: [{ email: 'secretariat@club.example' }],
  subject: 'Votre adhésion se renouvelle',
  html: '<p>Bonjour Léa</p>',
  text: 'Bonjour Léa',
  reference: 'email_01',
  tags: { template: 'renewal_notice' },
};

const clock = new LocalClock(START, 'frozen');
const faults: SesFault[] = [];
const accepted: AcceptedMessage[] = [];
let ses: LocalSes;
let limited: LocalSes;
const clients: SESv2Client[] = [];

/**
 * An SDK client on `endpoint` that does not retry, so one call is one request. With this SDK a
 * `requestTimeout` only logs a warning unless `throwOnRequestTimeout` is set.
 */
function client(endpoint: string, requestTimeout?: number): SESv2Client {
  const requestHandler = requestTimeout ? { requestHandler: { requestTimeout, throwOnRequestTimeout: true } } : {};
  const c = new SESv2Client({ ...LOCAL_AWS, endpoint, maxAttempts: 1, ...requestHandler });
  clients.push(c);
  return c;
}

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to be refused');
}

beforeAll(async () => {
  // Both before any send: each start clears the emulator's (module-wide) store.
  ses = await startLocalSes(clock, { onAccepted: (m) => void accepted.push(m), faults: { next: () => faults.shift() ?? 'none' } });
  limited = await startLocalSes(clock, { maxSendRate: 2 });
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await Promise.all([ses?.stop(), limited?.stop()]);
});

beforeEach(() => {
  faults.length = 0;
});

describe('local SES: addresses', () => {
  it('a member named Léa Tremblay gets mail: sent through SesMailer, the stored From/To decode back to the names', async () => {
    const mailer = new SesMailer(client(ses.endpoint), 'relance-test');

    const { messageId } = await mailer.send(email);

    const [stored] = ses.emails().filter((e) => e.messageId === messageId);
    expect(stored).toBeDefined();
    expect(decodeMailbox(stored!.from)).toEqual({ name: 'Club de curling de Québec', address: 'membres@xn--curling-qubec-khb.ca' });
    expect(stored!.to.map(decodeMailbox)).toEqual([{ name: 'Léa Tremblay', address: 'lea@example.org' }]);
    expect(stored!.at).toBe(START.toISOString());
    expect(stored!.reference).toBe('email_01');
    expect(accepted).toContainEqual({ messageId, tags: { template: 'renewal_notice' }, at: START.toISOString() });
  });

  it.each([
    ['To, raw UTF-8 display name', { Destination: { ToAddresses: ['"Léa Tremblay" <lea@example.org>'] } }],
    ['To, raw UTF-8 local part', { Destination: { ToAddresses: ['léa@example.org'] } }],
    ['Cc, raw UTF-8 domain', { Destination: { ToAddresses: ['lea@example.org'], CcAddresses: ['info@bücher.example'] } }],
    ['Bcc, raw UTF-8 display name', { Destination: { ToAddresses: ['lea@example.org'], BccAddresses: ['Zoë <zoe@example.org>'] } }],
    ['From, raw UTF-8 display name', { FromEmailAddress: 'Club de curling de Québec <membres@club.example>' }],
    ['Reply-To, raw UTF-8 display name', { ReplyToAddresses: ['Secrétariat <secretariat@club.example>'] }],
    ['To, unquoted comma in the name', { Destination: { ToAddresses: ['Tremblay, Léa <lea@example.org>'.replace('é', 'e')] } }],
    ['To, no domain', { Destination: { ToAddresses: ['lea'] } }],
    ['To, space in the local part', { Destination: { ToAddresses: ['lea tremblay@example.org'] } }],
  ] as const)('refuses what SES refuses, with BadRequestException 400 and nothing stored: %s', async (_what, overrides) => {
    const before = ses.emails().length;

    const error = await rejection(client(ses.endpoint).send(new SendEmailCommand(rawInput(overrides as Partial<SendEmailCommandInput>))));

    expect(error).toBeInstanceOf(BadRequestException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(ses.emails()).toHaveLength(before);
  });

  it('says why a raw UTF-8 address is refused', async () => {
    const error = await rejection(client(ses.endpoint).send(new SendEmailCommand(rawInput({ Destination: { ToAddresses: ['"Léa Tremblay" <lea@example.org>'] } }))));

    expect(error.message).toMatch(/non-ASCII/);
  });

  it('accepts the same recipients once written as SES requires: encoded-word name, Punycode domain', async () => {
    const out = await client(ses.endpoint).send(
      new SendEmailCommand(
        rawInput({
          Destination: { ToAddresses: ['=?UTF-8?Q?L=C3=A9a_Tremblay?= <lea@example.org>'], CcAddresses: ['info@xn--bcher-kva.example'], BccAddresses: ['"Zoe, Roy" <zoe@example.org>'] },
          ReplyToAddresses: ['=?UTF-8?B?U2VjcsOpdGFyaWF0?= <secretariat@club.example>'],
        }),
      ),
    );

    expect(out.MessageId).toBeTruthy();
    expect(ses.emails().some((e) => e.messageId === out.MessageId)).toBe(true);
  });
});

describe('local SES: the rest of what SES refuses', () => {
  const fifty = Array.from({ length: 50 }, (_, i) => `member${i}@example.org`);

  it.each([
    ['a tag value with a space', { EmailTags: [{ Name: 'template', Value: 'renewal notice' }] }],
    ['a tag name with an accent', { EmailTags: [{ Name: 'modèle', Value: 'renewal_notice' }] }],
    ['a tag value of 257 characters', { EmailTags: [{ Name: 'template', Value: 'x'.repeat(257) }] }],
    ['51 recipients', { Destination: { ToAddresses: fifty, CcAddresses: ['one-more@example.org'] } }],
    ['a subject with a line break', { Content: { Simple: { Subject: { Data: 'Renouvellement\r\nBcc: x@evil.example' }, Body: { Text: { Data: 'Bonjour' } } } } }],
    ['empty Content', { Content: {} }],
    ['no Content at all', { Content: undefined }],
  ] as const)('refuses %s with BadRequestException 400', async (_what, overrides) => {
    const before = ses.emails().length;

    const error = await rejection(client(ses.endpoint).send(new SendEmailCommand(rawInput(overrides as Partial<SendEmailCommandInput>))));

    expect(error).toBeInstanceOf(BadRequestException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(ses.emails()).toHaveLength(before);
  });

  it('accepts the limits themselves: 50 recipients and a 256-character tag', async () => {
    const out = await client(ses.endpoint).send(
      new SendEmailCommand(rawInput({ Destination: { ToAddresses: fifty }, EmailTags: [{ Name: 'template', Value: 'x'.repeat(256) }] })),
    );

    expect(out.MessageId).toBeTruthy();
  });
});

describe('local SES: maximum sending rate', () => {
  it('throttles the (rate+1)-th send within a second with TooManyRequestsException 429, and accepts again a second later', async () => {
    const c = client(limited.endpoint);
    const send = () => c.send(new SendEmailCommand(rawInput()));

    await send();
    await send();
    const error = await rejection(send());
    await new Promise((r) => setTimeout(r, 1_100));
    const after = await send();

    expect(error).toBeInstanceOf(TooManyRequestsException);
    expect(error.$metadata?.httpStatusCode).toBe(429);
    expect(error.message).toBe('Maximum sending rate exceeded.');
    expect(after.MessageId).toBeTruthy();
    expect(limited.emails()).toHaveLength(3);
  });
});

describe('local SES: faults', () => {
  it("'fail' answers 500 InternalFailure, forwards nothing, and onAccepted does not fire", async () => {
    faults.push('fail');
    const [mails, events] = [ses.emails().length, accepted.length];

    const error = await rejection(new SesMailer(client(ses.endpoint), undefined).send(email));

    expect(error).toBeInstanceOf(SESv2ServiceException);
    expect(error.name).toBe('InternalFailure');
    expect(error.$metadata?.httpStatusCode).toBe(500);
    expect(ses.emails()).toHaveLength(mails);
    expect(accepted).toHaveLength(events);
  });

  it("'timeout' holds the request unanswered and unforwarded until the client gives up; the next send goes through", async () => {
    faults.push('timeout');
    const [mails, events] = [ses.emails().length, accepted.length];

    const error = await rejection(new SesMailer(client(ses.endpoint, 300), undefined).send(email));
    const next = await new SesMailer(client(ses.endpoint), undefined).send(email);

    expect(error.name).toBe('TimeoutError');
    expect(ses.emails()).toHaveLength(mails + 1);
    expect(ses.emails().at(-1)!.messageId).toBe(next.messageId);
    expect(accepted).toHaveLength(events + 1);
  });

  it("'lose_answer' lets SES accept and record the message (onAccepted fires) but the client gets no answer", async () => {
    faults.push('lose_answer');
    const [mails, events] = [ses.emails().length, accepted.length];

    const error = await rejection(new SesMailer(client(ses.endpoint), undefined).send(email));

    expect(error).not.toBeInstanceOf(SESv2ServiceException);
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
    expect(ses.emails()).toHaveLength(mails + 1);
    expect(accepted).toHaveLength(events + 1);
    expect(accepted.at(-1)).toEqual({ messageId: ses.emails().at(-1)!.messageId, tags: { template: 'renewal_notice' }, at: START.toISOString() });
  });

  // Last on purpose: starting another local SES clears the emulator's shared store.
  it('stop() returns while a request is held by a timeout fault', async () => {
    let reached!: () => void;
    const held = new Promise<void>((resolve) => (reached = resolve));
    const own = await startLocalSes(new LocalClock(START, 'frozen'), {
      faults: {
        next: () => {
          reached();
          return 'timeout';
        },
      },
    });
    const pending = rejection(client(own.endpoint).send(new SendEmailCommand(rawInput())));
    await held;

    const outcome = await Promise.race([own.stop().then(() => 'stopped'), new Promise((r) => setTimeout(() => r('hung'), 3_000))]);

    expect(outcome).toBe('stopped');
    expect((await pending).$metadata?.httpStatusCode).toBeUndefined();
  });
});

// After the tests above: this starts its own local SES (and clock), which clears the emulator's shared store.
describe('local SES: the mailbox simulator and identities (R-OPS-1, R-OPS-2)', () => {
  const own = { clock: new LocalClock(START, 'frozen'), events: [] as SesEventBridgeEvent[], ses: undefined as LocalSes | undefined };
  const send = (to: string) =>
    client(own.ses!.endpoint).send(
      new SendEmailCommand(
        rawInput({
          Destination: { ToAddresses: [to] },
          ConfigurationSetName: 'relance-test',
          EmailTags: [
            { Name: 'relance-mail', Value: 'eml_1' },
            { Name: 'template', Value: 'card_request' },
          ],
        }),
      ),
    );

  beforeAll(async () => {
    own.ses = await startLocalSes(own.clock, { onEvent: (e) => void own.events.push(e), verifiedIdentities: ['club.example'] });
  });
  afterAll(async () => {
    await own.ses?.stop();
  });
  beforeEach(() => {
    own.events.length = 0;
  });

  it('R-OPS-1: bounce@ gets one permanent bounce, as EventBridge brings it, held until deliverEvents()', async () => {
    const { MessageId } = await send('Léa <bounce@simulator.amazonses.com>'.replace('é', 'e'));
    expect(own.ses!.pendingEvents()).toBe(1);
    expect(own.events).toHaveLength(0);
    expect(await own.ses!.deliverEvents()).toBe(1);
    expect(own.ses!.pendingEvents()).toBe(0);
    expect(own.events).toEqual([
      expect.objectContaining({
        source: 'aws.ses',
        'detail-type': 'Email Bounced',
        detail: expect.objectContaining({
          eventType: 'Bounce',
          mail: expect.objectContaining({
            messageId: MessageId,
            destination: ['Lea <bounce@simulator.amazonses.com>'],
            tags: { 'relance-mail': ['eml_1'], template: ['card_request'], 'ses:configuration-set': ['relance-test'] },
          }),
          bounce: expect.objectContaining({
            bounceType: 'Permanent',
            bounceSubType: 'General',
            bouncedRecipients: [expect.objectContaining({ emailAddress: 'bounce@simulator.amazonses.com', action: 'failed' })],
          }),
        }),
      }),
    ]);
  });

  it('R-OPS-1: complaint@ is delivered, then complained about; suppressionlist@ bounces as suppressed; success+label@ and ooto@ are delivered; other addresses say nothing', async () => {
    await send('complaint@simulator.amazonses.com');
    await send('suppressionlist@simulator.amazonses.com');
    await send('success+lea@simulator.amazonses.com');
    await send('ooto@simulator.amazonses.com');
    await send('lea@example.org');
    await own.ses!.deliverEvents();
    expect(own.events.map((e) => `${e['detail-type']}:${String((e.detail as { bounce?: { bounceSubType?: string } }).bounce?.bounceSubType ?? '')}`)).toEqual([
      'Email Delivered:',
      'Email Complaint Received:',
      'Email Bounced:Suppressed',
      'Email Delivered:',
      'Email Delivered:',
    ]);
    expect(own.events[1]!.detail).toEqual(expect.objectContaining({ eventType: 'Complaint', complaint: expect.objectContaining({ complainedRecipients: [{ emailAddress: 'complaint@simulator.amazonses.com' }] }) }));
  });

  it('R-OPS-2: a domain identity answers three DKIM tokens, pending until the clock is a minute on; an address has none; SES refuses a second creation', async () => {
    const identities = new SesIdentities(client(own.ses!.endpoint));
    const started = await identities.start('piscine.example', 'domain');
    expect(started).toEqual(expect.objectContaining({ identity: 'piscine.example', type: 'domain', verified: false, verification: 'pending' }));
    expect(started.dkimRecords).toHaveLength(3);
    expect(started.dkimRecords[0]).toEqual({ name: expect.stringMatching(/^[0-9a-f]{32}\._domainkey\.piscine\.example$/), type: 'CNAME', value: expect.stringMatching(/^[0-9a-f]{32}\.dkim\.amazonses\.com$/) });
    expect((await identities.get('piscine.example'))?.verified).toBe(false);
    await own.clock.advanceTo(new Date(START.getTime() + 60_000));
    expect(await identities.get('piscine.example')).toEqual({ ...started, verified: true, verification: 'success' });

    expect(await identities.start('tresorier@ailleurs.example', 'email')).toEqual(expect.objectContaining({ type: 'email', dkimRecords: [] }));
    await expect(identities.start('piscine.example', 'domain')).rejects.toBeInstanceOf(IdentityExistsError);
    expect(await identities.get('inconnu.example')).toBeNull();
    expect((await identities.get('club.example'))?.verified).toBe(true);
  });
});
