import { SendEmailCommand, type SendEmailCommandInput, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { formatAddress, SesMailer, sesTagText, UnsendableAddressError } from '../../shared/adapters/ses/mailer.js';
import type { OutgoingEmail } from '../../shared/ports/mailer.js';

// The decoder mailparser and nodemailer use: an RFC 2047 implementation independent of ours.
const libmime = createRequire(import.meta.url)('libmime') as { decodeWords(text: string): string };

const SEVEN_BIT = /^[\x20-\x7e]*$/;

/** The display-name part and the addr-spec of a formatted mailbox. */
function split(mailbox: string): { phrase: string; spec: string } {
  const m = /^(.*) <([^<>]+)>$/.exec(mailbox);
  if (!m) throw new Error(`not a name-addr: ${mailbox}`);
  return { phrase: m[1]!, spec: m[2]! };
}

describe('formatAddress', () => {
  it('a member named Léa Tremblay gets mail: her display name is RFC 2047 encoded, 7-bit, and decodes back', () => {
    const out = formatAddress({ name: 'Léa Tremblay', email: 'lea@example.org' });

    expect(out).toBe('=?UTF-8?Q?L=C3=A9a_Tremblay?= <lea@example.org>');
    expect(out).toMatch(SEVEN_BIT);
    expect(libmime.decodeWords(split(out).phrase)).toBe('Léa Tremblay');
  });

  it('encodes names outside Latin script too (B encoding when shorter), and they decode back', () => {
    const out = formatAddress({ name: '東京 太郎', email: 'taro@example.jp' });

    expect(out).toBe('=?UTF-8?B?5p2x5LqsIOWkqumDjg==?= <taro@example.jp>');
    expect(libmime.decodeWords(split(out).phrase)).toBe('東京 太郎');
  });

  it('never puts an encoded-word inside quotes (RFC 2047 §5 forbids it)', () => {
    const out = formatAddress({ name: 'Hélène "Lili" Roy', email: 'lili@example.org' });

    expect(split(out).phrase).not.toContain('"=?');
    expect(split(out).phrase.startsWith('=?UTF-8?')).toBe(true);
    expect(libmime.decodeWords(split(out).phrase)).toBe('Hélène "Lili" Roy');
  });

  it.each([
    ['Marie-Ève Bélanger-Côté de la Présentation-Notre-Dame-des-Anges-du-Saint-Laurent'],
    ['😀'.repeat(30)],
    ['é'.repeat(100)],
    ['中'.repeat(80)],
  ])('splits a long name into encoded-words of at most 75 characters, each holding whole characters: %s', (name) => {
    const { phrase } = split(formatAddress({ name, email: 'member@example.org' }));
    const words = phrase.split(' ');

    expect(words.length).toBeGreaterThan(1);
    for (const word of words) {
      expect(word.length).toBeLessThanOrEqual(75);
      expect(word).toMatch(/^=\?UTF-8\?[BQ]\?[^? ]+\?=$/);
      // Each word on its own is valid UTF-8: no character was cut between two words.
      expect(libmime.decodeWords(word)).not.toContain('\uFFFD');
    }
    expect(libmime.decodeWords(phrase)).toBe(name);
  });

  it('converts a Unicode domain to Punycode (IDNA) and leaves the local part as given', () => {
    expect(formatAddress({ email: 'info@bücher.example' })).toBe('info@xn--bcher-kva.example');
    expect(formatAddress({ name: 'Léa Tremblay', email: 'Lea.Tremblay@québec.ca' })).toBe('=?UTF-8?Q?L=C3=A9a_Tremblay?= <Lea.Tremblay@xn--qubec-csa.ca>');
  });

  it('refuses a non-ASCII local part with an UnsendableAddressError (SES has no SMTPUTF8)', () => {
    const attempt = () => formatAddress({ name: 'Léa Tremblay', email: 'léa@example.org' });

    expect(attempt).toThrow(UnsendableAddressError);
    expect(attempt).toThrow(/local part .*not ASCII/);
  });

  it.each([
    ['no domain', 'lea'],
    ['empty local part', '@example.org'],
    ['space in the local part', 'lea tremblay@example.org'],
    ['doubled dot', 'lea..tremblay@example.org'],
    ['quoted local part', '"lea"@example.org'],
    ['single-label domain', 'lea@localhost'],
    ['underscore in the domain', 'lea@ex_ample.org'],
    ['domain ending in a dot', 'lea@example.org.'],
    ['second @', 'lea@tremblay@example.org'],
  ])('refuses an address that is not a valid addr-spec: %s', (_why, email) => {
    expect(() => formatAddress({ email })).toThrow(UnsendableAddressError);
  });

  it('quotes an ASCII display name and escapes " and \\ in it, so specials stay harmless (as before)', () => {
    expect(formatAddress({ name: 'Sophie Gagnon', email: 'sophie@club.example' })).toBe('"Sophie Gagnon" <sophie@club.example>');
    expect(formatAddress({ name: 'Gagnon, Sophie "Sof" \\ <Jr.>', email: 'sophie@club.example' })).toBe(
      '"Gagnon, Sophie \\"Sof\\" \\\\ <Jr.>" <sophie@club.example>',
    );
  });

  it('turns line breaks in a name into spaces, so no header can be injected', () => {
    const ascii = formatAddress({ name: 'Sophie\r\nBcc: x@evil.example', email: 'sophie@club.example' });
    const accented = formatAddress({ name: 'Léa\r\nBcc: x@evil.example', email: 'lea@example.org' });

    expect(ascii).toBe('"Sophie Bcc: x@evil.example" <sophie@club.example>');
    expect(accented).toMatch(SEVEN_BIT);
    expect(libmime.decodeWords(split(accented).phrase)).toBe('Léa Bcc: x@evil.example');
  });

  it('sends the bare address when there is no name', () => {
    expect(formatAddress({ email: 'none@example.org' })).toBe('none@example.org');
    expect(formatAddress({ name: '  ', email: 'none@example.org' })).toBe('none@example.org');
  });
});

describe('sesTagText', () => {
  it('keeps only what a MessageTag allows: ASCII letters, digits, _ and -, at most 256 characters', () => {
    expect(sesTagText('renewal_notice-2')).toBe('renewal_notice-2');
    expect(sesTagText('relance été 2027!')).toBe('relance_ete_2027_');
    expect(sesTagText('x'.repeat(300))).toHaveLength(256);
  });
});

describe('SesMailer', () => {
  const ses = mockClient(SESv2Client);
  afterEach(() => ses.reset());

  const email: OutgoingEmail = {
    from: { name: 'Club de curling de Québec', email: 'membres@curling-québec.ca' },
    to: [{ name: 'Léa Tremblay', email: 'lea@example.org' }],
    replyTo: [{ email: 'secretariat@curling-québec.ca' }],
    subject: 'Votre adhésion\r\nse renouvelle',
    html: '<p>Bonjour</p>',
    text: 'Bonjour',
    reference: 'email_01',
    tags: { template: 'renewal_notice', saison: 'été 2027' },
  };

  it('sends only what SES accepts: encoded names, Punycode domains, clean tags, a one-line subject', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });

    const out = await new SesMailer(new SESv2Client({ region: 'ca-central-1' }), 'relance-test').send(email);

    expect(out).toEqual({ messageId: 'm-1' });
    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input as SendEmailCommandInput;
    expect(input.FromEmailAddress).toBe('=?UTF-8?Q?Club_de_curling_de_Qu=C3=A9bec?= <membres@xn--curling-qubec-khb.ca>');
    expect(input.Destination?.ToAddresses).toEqual(['=?UTF-8?Q?L=C3=A9a_Tremblay?= <lea@example.org>']);
    expect(input.ReplyToAddresses).toEqual(['secretariat@xn--curling-qubec-khb.ca']);
    expect(input.EmailTags).toEqual([
      { Name: 'template', Value: 'renewal_notice' },
      { Name: 'saison', Value: 'ete_2027' },
    ]);
    expect(input.Content?.Simple?.Subject?.Data).toBe('Votre adhésion se renouvelle');
  });

  it('refuses an unsendable address before calling SES', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const mailer = new SesMailer(new SESv2Client({ region: 'ca-central-1' }), undefined);

    await expect(mailer.send({ ...email, to: [{ name: 'Léa', email: 'léa@example.org' }] })).rejects.toBeInstanceOf(UnsendableAddressError);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});
