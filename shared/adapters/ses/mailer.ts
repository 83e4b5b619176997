import type { SendEmailCommand, SendEmailCommandOutput, SESv2Client } from '@aws-sdk/client-sesv2';
import { domainToASCII } from 'node:url';
import { type Address, type Mailer, MailNotSentError, MailRejectedError, type OutgoingEmail } from '../../ports/mailer.js';
import { type ClientSource, clientOf } from '../lazy-client.js';

/** The SES v2 package: the command and the errors, from the chunk that holds the client (loaded on the first e-mail). */
type SesSdk = typeof import('./sdk.js');
const loadSdk = (): Promise<SesSdk> => import('./sdk.js');

/**
 * An address SES cannot send to or from, found before SES is called.
 *
 * SES does not support SMTPUTF8 (RFC 6531): every address string must be 7-bit ASCII; a Unicode
 * domain must be Punycode; Punycode is not permitted in the local part (the part before the @)
 * (SES v2 API reference, "Destination"; developer guide, "Sending formatted email using the
 * Amazon SES API"). So a local part that is not ASCII cannot be sent at all, whatever we do.
 */
export class UnsendableAddressError extends MailRejectedError {
  constructor(
    readonly address: string,
    readonly reason: string,
  ) {
    super(`SES cannot send to or from ${JSON.stringify(address)}: ${reason}`);
    this.name = 'UnsendableAddressError';
  }
}

/** RFC 5322 §3.2.3 atext; a dot-atom is runs of it joined by single dots. */
const ATEXT = "A-Za-z0-9!#$%&'*+/=?^_`{|}~-";
const DOT_ATOM = new RegExp(`^[${ATEXT}]+(?:\\.[${ATEXT}]+)*$`);
/** An LDH host label (RFC 1035 / RFC 5890 A-label once Punycoded). */
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const ASCII = /^[\x00-\x7f]*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * The addr-spec SES accepts for `email`: the local part kept as given (it must be an ASCII
 * dot-atom; quoted local parts are not supported), a Unicode domain converted to Punycode with
 * `domainToASCII` (IDNA). Throws `UnsendableAddressError` otherwise.
 */
export function asciiAddrSpec(email: string): string {
  const given = email.trim();
  const at = given.lastIndexOf('@');
  if (at < 0) throw new UnsendableAddressError(email, "there is no '@domain'");
  const local = given.slice(0, at);
  const domain = given.slice(at + 1);
  if (!local) throw new UnsendableAddressError(email, 'the local part (before the @) is empty');
  if (!ASCII.test(local)) {
    throw new UnsendableAddressError(
      email,
      'the local part (before the @) is not ASCII; SES does not support SMTPUTF8 and allows neither Punycode nor encoded-words there',
    );
  }
  if (!DOT_ATOM.test(local)) {
    throw new UnsendableAddressError(email, 'the local part is not an RFC 5322 dot-atom (no spaces, quotes, controls, leading, trailing or doubled dots)');
  }
  if (local.length > 64) throw new UnsendableAddressError(email, 'the local part is longer than 64 characters (RFC 5321)');
  const asciiDomain = ASCII.test(domain) ? domain : domainToASCII(domain);
  const labels = asciiDomain.split('.');
  if (!asciiDomain || asciiDomain.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l))) {
    throw new UnsendableAddressError(email, 'the domain is not a valid (internationalized) host name');
  }
  const spec = `${local}@${asciiDomain}`;
  if (spec.length > 254) throw new UnsendableAddressError(email, 'the address is longer than 254 characters (RFC 5321)');
  return spec;
}

/** RFC 2047 §2: an encoded-word is at most 75 characters, delimiters and charset included. */
const MAX_ENCODED_WORD = 75;
/** RFC 2047 §5 (3): the only characters a Q-encoded word in a phrase may carry as themselves. */
const Q_LITERAL = /^[A-Za-z0-9!*+\-/]$/;

function qEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (ch === ' ') out += '_';
    else if (Q_LITERAL.test(ch)) out += ch;
    else out += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function bEncode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/**
 * `text` as UTF-8 encoded-words of at most 75 characters each, split between characters (code
 * points) so every word decodes on its own (RFC 2047 §5: an encoded-word holds whole characters).
 */
function encodedWords(text: string, encoding: 'B' | 'Q'): string[] {
  const prefix = `=?UTF-8?${encoding}?`;
  const budget = MAX_ENCODED_WORD - prefix.length - '?='.length;
  const encode = encoding === 'B' ? bEncode : qEncode;
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (chunk && encode(chunk + ch).length > budget) {
      words.push(`${prefix}${encode(chunk)}?=`);
      chunk = ch;
    } else {
      chunk += ch;
    }
  }
  if (chunk) words.push(`${prefix}${encode(chunk)}?=`);
  return words;
}

/**
 * RFC 5322 mailbox SES accepts: `"Name" <local@domain>`.
 *
 * - A display name of printable 7-bit ASCII is a quoted-string with `"` and `\` escaped (as
 *   before: it keeps specials such as `,` or `<` harmless).
 * - Any other name (accents, CJK, emoji) is written as RFC 2047 encoded-words of UTF-8, B or Q
 *   encoding whichever is shorter, each at most 75 characters, separated by spaces and never
 *   quoted (RFC 2047 §5: an encoded-word must not be inside a quoted-string). This is what SES
 *   requires for a Unicode "friendly from" name (developer guide, "Sending raw email using the
 *   Amazon SES API v2", MIME encoded-word syntax `=?charset?encoding?encoded-text?=`).
 * - Line breaks and other control characters in the name become spaces or are dropped; the name
 *   is NFC-normalized.
 * - The address goes through `asciiAddrSpec` (Punycode domain; refused non-ASCII local part).
 */
export function formatAddress(a: Address): string {
  const spec = asciiAddrSpec(a.email);
  const name = (a.name ?? '')
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/\p{Cc}/gu, '')
    .normalize('NFC')
    .trim();
  if (!name) return spec;
  if (PRINTABLE_ASCII.test(name)) return `"${name.replace(/(["\\])/g, '\\$1')}" <${spec}>`;
  const b = encodedWords(name, 'B');
  const q = encodedWords(name, 'Q');
  const words = q.join(' ').length <= b.join(' ').length ? q : b;
  return `${words.join(' ')} <${spec}>`;
}

/** SES v2 API reference, "MessageTag": name and value only ASCII letters, digits, `_`, `-`; ≤ 256 characters. */
const TAG_MAX = 256;

/**
 * `text` turned into what a MessageTag name or value may hold: accents dropped (NFKD, marks
 * removed: `été` → `ete`), any other disallowed character replaced by `_`, cut at 256 characters.
 *
 * Decision: tags are sanitized, not refused. They only label the message for configuration-set
 * event destinations; refusing would leave a member without mail because of a label.
 */
export function sesTagText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9_-]/g, '_')
    .slice(0, TAG_MAX);
}

function emailTags(tags: Record<string, string>): { Name: string; Value: string }[] {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(tags)) {
    const Name = sesTagText(name);
    const Value = sesTagText(value);
    // An empty name or value is dropped (the reference gives no minimum; we do not bet on it),
    // and of two names that sanitize alike the first wins.
    if (!Name || !Value || out.has(Name)) continue;
    if (Name !== name || Value !== value) {
      console.warn(JSON.stringify({ level: 'warn', msg: 'e-mail tag rewritten to the characters SES allows', name, value, sent: { Name, Value } }));
    }
    out.set(Name, Value);
  }
  return [...out].map(([Name, Value]) => ({ Name, Value }));
}

/**
 * SES v2 SendEmail with an HTML and a text part.
 *
 * Every address goes through `formatAddress`, so an address SES would refuse with a
 * BadRequestException fails here first with an `UnsendableAddressError`; tags go through
 * `sesTagText`; a line break in the subject becomes a space (a header is one line).
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: ClientSource<SESv2Client>,
    private readonly configurationSetName: string | undefined,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const from = formatAddress(email.from);
    const to = email.to.map(formatAddress);
    const replyTo = email.replyTo.map(formatAddress);
    const [client, sdk] = await Promise.all([clientOf(this.client), loadSdk()]);
    const out = await sendClassified(
      sdk,
      client,
      new sdk.SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: to },
        ReplyToAddresses: replyTo,
        ConfigurationSetName: this.configurationSetName,
        EmailTags: emailTags(email.tags ?? {}),
        Content: {
          Simple: {
            Subject: { Data: email.subject.replace(/\s*[\r\n]+\s*/g, ' '), Charset: 'UTF-8' },
            Body: {
              Html: { Data: email.html, Charset: 'UTF-8' },
              Text: { Data: email.text, Charset: 'UTF-8' },
            },
            Headers: [{ Name: 'X-Relance-Reference', Value: email.reference }],
          },
        },
      }),
    );
    if (!out.MessageId) throw new Error('SES accepted the e-mail without a MessageId');
    return { messageId: out.MessageId };
  }
}

/**
 * SES's refusals sorted for the mail worker: refused for now and not sent (throttled, paused,
 * suspended, an identity or configuration set the operator must fix) → MailNotSentError, tried
 * again; refused for good (malformed request, rejected message) → MailRejectedError. Anything
 * else (a 5xx, a timeout, a lost connection) leaves it unknown whether SES sent it: rethrown.
 */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

async function sendClassified(sdk: SesSdk, client: SESv2Client, command: SendEmailCommand): Promise<SendEmailCommandOutput> {
  try {
    return await client.send(command);
  } catch (error) {
    if (
      error instanceof sdk.TooManyRequestsException ||
      error instanceof sdk.LimitExceededException ||
      error instanceof sdk.SendingPausedException ||
      error instanceof sdk.AccountSuspendedException ||
      error instanceof sdk.MailFromDomainNotVerifiedException ||
      error instanceof sdk.NotFoundException
    ) {
      throw new MailNotSentError(`SES did not take the e-mail: ${error.name}: ${error.message}`, { cause: error });
    }
    // The connection was never made: nothing reached SES.
    if (NEVER_CONNECTED.has((error as NodeJS.ErrnoException)?.code ?? '')) {
      throw new MailNotSentError(`SES could not be reached: ${(error as Error).message}`, { cause: error });
    }
    if (error instanceof sdk.BadRequestException || error instanceof sdk.MessageRejected) {
      throw new MailRejectedError(`SES refused the e-mail: ${error.name}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
