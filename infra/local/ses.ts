import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import type { LocalClock } from './clock.js';
import { freePort } from './net.js';

const require = createRequire(import.meta.url);

interface StoredEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
  at: number;
}

export interface LocalEmail {
  messageId: string;
  to: string[];
  from: string;
  replyTo: string[];
  subject: string;
  text: string;
  html: string;
  /** Clock time at which SES accepted it. */
  at: string;
  reference: string | null;
}

export interface LocalSes {
  /** Where the AWS SDK sends SendEmail (a recording proxy in front of the SES emulator). */
  endpoint: string;
  /** The emulator's own web page listing the mail. */
  viewerUrl: string;
  emails(filter?: { to?: string }): LocalEmail[];
  /** SES events (bounces, complaints, deliveries of the mailbox simulator) not yet handed to `onEvent`. */
  pendingEvents(): number;
  /**
   * Hands every pending event to `onEvent` (after the Send events of the same messages), in
   * order, and waits for them: what `POST /_local/settle` does. Answers how many were handed.
   */
  deliverEvents(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * An SES event as EventBridge delivers it from a configuration set's event destination
 * (`source: aws.ses`; `detail` is the event record: `eventType`, `mail` with the message's tags,
 * and `bounce` / `complaint` / `delivery`).
 */
export interface SesEventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: 'aws.ses';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown> & { eventType: string };
}

/**
 * SES's mailbox simulator (developer guide, "Using the mailbox simulator"): what SES does with
 * mail to these addresses of `simulator.amazonses.com` (a `+label` is allowed in the local part).
 */
const SIMULATOR_DOMAIN = 'simulator.amazonses.com';
type Simulated = 'success' | 'bounce' | 'ooto' | 'complaint' | 'suppressionlist';
function simulated(address: string): Simulated | null {
  const lt = address.lastIndexOf('<');
  const spec = (lt >= 0 ? address.slice(lt + 1, address.lastIndexOf('>')) : address).trim().toLowerCase();
  const at = spec.lastIndexOf('@');
  if (at < 0 || spec.slice(at + 1) !== SIMULATOR_DOMAIN) return null;
  const local = spec.slice(0, at).split('+')[0]!;
  return (['success', 'bounce', 'ooto', 'complaint', 'suppressionlist'] as const).find((k) => k === local) ?? null;
}

/** A local SES email identity (R-OPS-2): verified once the clock is a minute past its creation. */
interface LocalIdentity {
  name: string;
  type: 'DOMAIN' | 'EMAIL_ADDRESS';
  createdAt: number;
  tokens: string[];
  preverified: boolean;
}
const VERIFY_AFTER_MS = 60_000;

/** What the fault hook may ask of the next SendEmail. */
export type SesFault = 'none' | 'fail' | 'timeout' | 'lose_answer';

/** A message SES accepted, as a configuration set's "Send" event would tell it. */
export interface AcceptedMessage {
  messageId: string;
  tags: Record<string, string>;
  /** Clock time of acceptance. */
  at: string;
}

export interface LocalSesOptions {
  /**
   * The account's maximum sending rate: at most this many recipients accepted in any 1,000 ms
   * of wall time; beyond it SES's throttling answer. Unset: no limit.
   */
  maxSendRate?: number;
  /** Called once SES accepted a message (stands in for the "Send" event of an event destination). */
  onAccepted?: (message: AcceptedMessage) => Promise<void> | void;
  /**
   * Consulted once per SendEmail, before anything else:
   * - `fail`: 500 InternalFailure, nothing forwarded;
   * - `timeout`: no answer and nothing forwarded until the client gives up (then the socket is destroyed);
   * - `lose_answer`: SES accepts and records the message (`onAccepted` fires), then the client's
   *   socket is destroyed without an answer.
   */
  faults?: {
    next(): SesFault;
    /** When it answers true for an event, EventBridge delivers that event twice, concurrently (at least once). */
    duplicateEvent?(event: SesEventBridgeEvent): boolean;
  };
  /**
   * Called with each SES event of the mailbox simulator (`Email Delivered`, `Email Bounced`,
   * `Email Complaint Received`), as the configuration set's EventBridge destination delivers it.
   * Events wait until `deliverEvents()` (the clock frozen) or a second of wall time (flowing).
   */
  onEvent?: (event: SesEventBridgeEvent) => Promise<void> | void;
  /** R-OPS-2: identities SES knows as verified from the start (the local mail domain). */
  verifiedIdentities?: string[];
  /** Region and account named in events. */
  region?: string;
}

/** SES v2 "Service quotas in Amazon SES": 50 recipients (To + CC + BCC) per message. */
const MAX_RECIPIENTS = 50;
/**
 * SES v2 "Service quotas in Amazon SES": 40 MB per message including attachments, after base64
 * encoding, for the v2 API and SMTP (10 MB is the v1 API's). MB is read as MiB here. Note the
 * emulator behind the proxy reads JSON bodies only up to 25 MB: between that and 40 MB local
 * refuses what SES would take.
 */
const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;
/** Bodies larger than this are not even buffered: no SendEmail that large can be valid. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** SES v2 "MessageTag": ASCII letters, digits, `_`, `-`; at most 256 characters (empty refused here). */
const TAG = /^[A-Za-z0-9_-]{1,256}$/;
const ATEXT = "A-Za-z0-9!#$%&'*+/=?^_`{|}~-";
const DOT_ATOM = new RegExp(`^[${ATEXT}]+(?:\\.[${ATEXT}]+)*$`);
/** Characters of an unquoted display-name word (atext; `.` as obs-phrase allows). */
const PHRASE_CHAR = new RegExp(`^[.${ATEXT}]$`);
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Why SES would refuse this display name, or null. A phrase is words of atext (an RFC 2047
 * encoded-word is such a word) and quoted-strings; anything else, like a bare `,` or `"`, is not.
 */
function phraseRefusal(phrase: string): string | null {
  let i = 0;
  while (i < phrase.length) {
    const c = phrase[i]!;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < phrase.length) {
        if (phrase[i] === '\\') i += 2;
        else if (phrase[i++] === '"') {
          closed = true;
          break;
        }
      }
      if (!closed) return `Missing '"'`;
    } else if (PHRASE_CHAR.test(c)) {
      i++;
    } else {
      return 'Illegal address';
    }
  }
  return null;
}

/**
 * Why SES would refuse this address string, or null. Messages follow what SES answers where it
 * is known (observed answers quoted in public issue trackers), in a BadRequestException.
 *
 * SES v2 API reference, "Destination" / "SendEmail": addresses must be 7-bit ASCII (no
 * SMTPUTF8); a Unicode domain must be Punycode; a Unicode display name must be MIME
 * encoded-words; Punycode is not permitted in the local part. Stricter than SES in one way:
 * quoted local parts are refused (the mailer never sends one).
 */
function addressRefusal(field: string, value: unknown): string | null {
  if (typeof value !== 'string') return `${field}: an address must be a string.`;
  if (!/^[\x00-\x7f]*$/.test(value)) {
    return `${field}: ${JSON.stringify(value)} contains non-ASCII characters. SES does not support SMTPUTF8: encode the display name as RFC 2047 encoded-words and the domain as Punycode.`;
  }
  if (/[\x00-\x1f\x7f]/.test(value)) return `${field}: address contains control characters.`;
  const s = value.trim();
  let spec = s;
  const lt = s.lastIndexOf('<');
  if (lt >= 0 && s.endsWith('>')) {
    const phrase = s.slice(0, lt).trim();
    const refusal = phrase ? phraseRefusal(phrase) : null;
    if (refusal) return `${field}: ${refusal}`;
    spec = s.slice(lt + 1, -1).trim();
  } else if (s.includes('<') || s.includes('>')) {
    return `${field}: Illegal address`;
  }
  const at = spec.lastIndexOf('@');
  if (at < 0) return `${field}: Missing final '@domain'`;
  const local = spec.slice(0, at);
  const domain = spec.slice(at + 1);
  if (!local) return `${field}: Missing local name`;
  if (!domain) return `${field}: Missing domain`;
  if (/\s/.test(local)) return `${field}: Local address contains control or whitespace`;
  if (!DOT_ATOM.test(local) || local.length > 64) return `${field}: Local address contains illegal character`;
  const labels = domain.split('.');
  if (domain.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l))) return `${field}: Domain contains illegal character`;
  return null;
}

function addressList(field: string, value: unknown, into: string[]): string | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) return `${field} must be a list of addresses.`;
  for (const [i, address] of value.entries()) {
    const refusal = addressRefusal(`${field}[${i}]`, address);
    if (refusal) return refusal;
    into.push(address as string);
  }
  return null;
}

/** Octets of `n` bytes once base64 encoded in 76-character lines (how SES's MIME carries bodies). */
function base64Octets(n: number): number {
  const chars = Math.ceil(n / 3) * 4;
  return chars + Math.ceil(chars / 76) * 2;
}

/** An estimate of the MIME message SES would build, in octets. */
function messageOctets(content: Json): number {
  const text = (v: unknown): number => (isObject(v) && typeof v.Data === 'string' ? Buffer.byteLength(v.Data, 'utf8') : 0);
  if (isObject(content.Raw)) return typeof content.Raw.Data === 'string' ? Buffer.byteLength(content.Raw.Data, 'base64') : 0;
  const part = isObject(content.Simple) ? content.Simple : isObject(content.Template) ? content.Template : {};
  const body = isObject(part.Body) ? part.Body : {};
  let octets = 2_000 + base64Octets(text(part.Subject)) + base64Octets(text(body.Html)) + base64Octets(text(body.Text));
  if (typeof part.TemplateData === 'string') octets += base64Octets(Buffer.byteLength(part.TemplateData, 'utf8'));
  for (const a of Array.isArray(part.Attachments) ? part.Attachments : []) {
    if (isObject(a) && typeof a.RawContent === 'string') octets += 500 + base64Octets(Buffer.byteLength(a.RawContent, 'base64'));
  }
  return octets;
}

interface Checked {
  recipients: number;
  tags: Record<string, string>;
  to: string[];
  from: string;
  configurationSet: string | null;
}

/**
 * Validates a SendEmail body (`POST /v2/email/outbound-emails`) as SES does before it accepts a
 * message: the refusal message, or what the limiter and the event need.
 */
function checkSendEmail(body: unknown): { refusal: string } | Checked {
  if (!isObject(body)) return { refusal: 'The request body must be a JSON object.' };
  const content = body.Content;
  if (!isObject(content)) return { refusal: 'Content is required.' };
  const kinds = (['Simple', 'Raw', 'Template'] as const).filter((k) => content[k] !== undefined && content[k] !== null);
  if (kinds.length !== 1) return { refusal: 'Content must hold exactly one of Simple, Raw or Template.' };

  if (body.FromEmailAddress !== undefined) {
    const refusal = addressRefusal('FromEmailAddress', body.FromEmailAddress);
    if (refusal) return { refusal };
  } else if (kinds[0] !== 'Raw') {
    return { refusal: 'FromEmailAddress is required.' };
  }
  const destination = body.Destination ?? {};
  if (!isObject(destination)) return { refusal: 'Destination must be an object.' };
  const recipients: string[] = [];
  for (const list of ['ToAddresses', 'CcAddresses', 'BccAddresses'] as const) {
    const refusal = addressList(`Destination.${list}`, destination[list], recipients);
    if (refusal) return { refusal };
  }
  if (recipients.length > MAX_RECIPIENTS) return { refusal: `Recipient count exceeds ${MAX_RECIPIENTS}.` };
  const replyTo = addressList('ReplyToAddresses', body.ReplyToAddresses, []);
  if (replyTo) return { refusal: replyTo };

  if (kinds[0] === 'Simple') {
    const simple = content.Simple as Json;
    const subject = simple.Subject;
    if (!isObject(subject) || typeof subject.Data !== 'string') return { refusal: 'Content.Simple.Subject.Data is required.' };
    if (/[\r\n]/.test(subject.Data)) return { refusal: 'The subject must not contain line breaks.' };
    const b = simple.Body;
    if (!isObject(b) || (!isObject(b.Html) && !isObject(b.Text))) return { refusal: 'Content.Simple.Body needs Html or Text.' };
  }

  const tags: Record<string, string> = {};
  if (body.EmailTags !== undefined) {
    if (!Array.isArray(body.EmailTags)) return { refusal: 'EmailTags must be a list.' };
    for (const tag of body.EmailTags) {
      if (!isObject(tag) || typeof tag.Name !== 'string' || typeof tag.Value !== 'string') return { refusal: 'A message tag needs a Name and a Value.' };
      for (const [part, text] of [['name', tag.Name], ['value', tag.Value]] as const) {
        if (!TAG.test(text)) {
          return {
            refusal: `Invalid message tag ${part} ${JSON.stringify(text)}: it can only contain ASCII letters (a-z, A-Z), numbers (0-9), underscores (_), or dashes (-), and no more than 256 characters.`,
          };
        }
      }
      tags[tag.Name] = tag.Value;
    }
  }

  if (messageOctets(content) > MAX_MESSAGE_BYTES) return { refusal: 'Message length is more than 40 megabytes.' };
  return {
    recipients: recipients.length,
    tags,
    to: recipients,
    from: typeof body.FromEmailAddress === 'string' ? body.FromEmailAddress : '',
    configurationSet: typeof body.ConfigurationSetName === 'string' ? body.ConfigurationSetName : null,
  };
}

/** Account named in local events. */
const LOCAL_EVENT_ACCOUNT = '000000000000';

/** Easy DKIM's three selector tokens (32 lower-case characters each). */
function dkimTokens(): string[] {
  return Array.from({ length: 3 }, () => randomBytes(16).toString('hex'));
}

/** SES's error shape for the REST-JSON protocol: status, `x-amzn-errortype`, `{ message }`. */
function answerError(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-errortype': type,
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}

/** At most `rate` recipients accepted in any 1,000 ms of wall time (a sliding window). */
class SendRateLimiter {
  private readonly accepted: number[] = [];

  constructor(private readonly rate: number) {}

  /**
   * Takes `n` recipients if any room is left in the last second (SES lets a message with several
   * recipients through while the account has quota left), else answers false.
   */
  take(n: number): boolean {
    const now = Date.now();
    while (this.accepted.length > 0 && this.accepted[0]! <= now - 1000) this.accepted.shift();
    if (this.accepted.length >= this.rate) return false;
    for (let i = 0; i < Math.max(1, n); i++) this.accepted.push(now);
    return true;
  }

  /** Gives back what a refused message took. */
  giveBack(n: number): void {
    this.accepted.splice(-Math.max(1, n));
  }
}

/**
 * SES v2 on 127.0.0.1: the `aws-ses-v2-local` emulator (real SendEmail API, a mail viewer),
 * behind a small proxy that:
 * - refuses a SendEmail that real SES would refuse (the emulator takes anything): non-ASCII or
 *   malformed addresses in From / To / CC / BCC / Reply-To (RFC 2047 encoded-word display names
 *   and Punycode domains are fine, raw UTF-8 is not), more than 50 recipients, message tags
 *   outside `[A-Za-z0-9_-]{1,256}`, a subject with a line break, missing or ambiguous Content, a
 *   message over 40 MB — with a 400 BadRequestException shaped as SES answers it;
 * - throttles beyond `maxSendRate` with 429 TooManyRequestsException "Maximum sending rate
 *   exceeded." (developer guide, "Errors related to the sending quotas for your Amazon SES
 *   account": a throttling error with that message; the v2 API's SendEmail errors model it as
 *   TooManyRequestsException, HTTP 429, and that is what the SDK raises);
 * - answers a `fail` fault with InternalFailure, HTTP 500 (API reference, "Common Errors");
 * - notes the clock time of every accepted message, so the mail list shows clock time;
 * - calls `onAccepted` for every accepted message, and injects `faults` when asked.
 */
export async function startLocalSes(clock: LocalClock, options: LocalSesOptions = {}): Promise<LocalSes> {
  const sesModule = require('aws-ses-v2-local') as { default: (c: { host: string; port: number }) => Promise<Server> };
  const store = require('aws-ses-v2-local/dist/store') as { getStoreReadonly(): { emails: StoredEmail[] }; clearStore(): void };
  store.clearStore();
  const sesPort = await freePort();
  const ses = await sesModule.default({ host: '127.0.0.1', port: sesPort });
  const acceptedAt = new Map<string, string>();
  const limiter = options.maxSendRate === undefined ? undefined : new SendRateLimiter(options.maxSendRate);
  const held = new Set<Socket>();
  const callbacks = new Set<Promise<void>>();
  const region = options.region ?? 'ca-central-1';
  const queued: SesEventBridgeEvent[] = [];
  let delivering: Promise<number> = Promise.resolve(0);
  let autoDeliver: NodeJS.Timeout | undefined;
  let stopped = false;
  const identities = new Map<string, LocalIdentity>();
  for (const name of options.verifiedIdentities ?? []) {
    const key = name.toLowerCase();
    identities.set(key, { name: key, type: key.includes('@') ? 'EMAIL_ADDRESS' : 'DOMAIN', createdAt: clock.now().getTime(), tokens: dkimTokens(), preverified: true });
  }

  /** Hands the queued events over, one at a time, after the Send events in flight. */
  const deliverEvents = (): Promise<number> => {
    const run = delivering.then(async () => {
      await Promise.all([...callbacks]);
      let n = 0;
      while (queued.length > 0 && !stopped) {
        const event = queued.shift()!;
        n++;
        if (!options.onEvent) continue;
        const times = options.faults?.duplicateEvent?.(event) ? 2 : 1;
        await Promise.all(
          Array.from({ length: times }, async () => {
            try {
              await options.onEvent!(event);
            } catch (error) {
              console.error(JSON.stringify({ level: 'error', msg: 'local SES event delivery failed', id: event.id, type: event['detail-type'], error: String(error) }));
            }
          }),
        );
      }
      return n;
    });
    delivering = run.catch(() => 0);
    return run;
  };

  /** The mailbox simulator's events for an accepted message, queued for `onEvent`. */
  const simulate = (checked: Checked, messageId: string, sentAt: string) => {
    const mail = {
      timestamp: sentAt,
      source: checked.from,
      sendingAccountId: LOCAL_EVENT_ACCOUNT,
      messageId,
      destination: checked.to,
      headersTruncated: false,
      tags: Object.fromEntries([...Object.entries(checked.tags), ...(checked.configurationSet ? [['ses:configuration-set', checked.configurationSet]] : [])].map(([k, v]) => [k, [v]])),
    };
    const at = clock.now().toISOString();
    const event = (detailType: string, detail: Record<string, unknown> & { eventType: string }): SesEventBridgeEvent => ({
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source: 'aws.ses',
      account: LOCAL_EVENT_ACCOUNT,
      time: at,
      region,
      resources: checked.configurationSet ? [`arn:aws:ses:${region}:${LOCAL_EVENT_ACCOUNT}:configuration-set/${checked.configurationSet}`] : [],
      detail,
    });
    const delivery = (recipient: string) =>
      event('Email Delivered', { eventType: 'Delivery', mail, delivery: { timestamp: at, processingTimeMillis: 500, recipients: [recipient], smtpResponse: '250 2.6.0 Message received', reportingMTA: 'a1-1.smtp-out.amazonses.com' } });
    const bounce = (recipient: string, subType: string, status: string, diagnosticCode: string) =>
      event('Email Bounced', {
        eventType: 'Bounce',
        mail,
        bounce: { bounceType: 'Permanent', bounceSubType: subType, bouncedRecipients: [{ emailAddress: recipient, action: 'failed', status, diagnosticCode }], timestamp: at, feedbackId: randomUUID(), reportingMTA: 'dns; amazonses.com' },
      });
    for (const recipient of checked.to) {
      const spec = recipient.lastIndexOf('<') >= 0 ? recipient.slice(recipient.lastIndexOf('<') + 1, recipient.lastIndexOf('>')) : recipient;
      switch (simulated(recipient)) {
        case 'success':
        case 'ooto':
          queued.push(delivery(spec));
          break;
        case 'bounce':
          queued.push(bounce(spec, 'General', '5.1.1', 'smtp; 550 5.1.1 user unknown'));
          break;
        case 'suppressionlist':
          queued.push(bounce(spec, 'Suppressed', '5.1.1', 'Amazon SES has suppressed sending to this address because it has a recent history of bouncing as an invalid address.'));
          break;
        case 'complaint':
          queued.push(delivery(spec));
          queued.push(
            event('Email Complaint Received', {
              eventType: 'Complaint',
              mail,
              complaint: { complainedRecipients: [{ emailAddress: spec }], timestamp: at, feedbackId: randomUUID(), userAgent: 'Amazon SES Mailbox Simulator', complaintFeedbackType: 'abuse', arrivalDate: at },
            }),
          );
          break;
        case null:
          break;
      }
    }
    if (queued.length > 0 && clock.mode === 'flow' && !autoDeliver) {
      autoDeliver = setTimeout(() => {
        autoDeliver = undefined;
        void deliverEvents();
      }, 1000);
      autoDeliver.unref();
    }
  };

  const notifyAccepted = (message: AcceptedMessage) => {
    if (!options.onAccepted) return;
    const run = (async () => options.onAccepted!(message))()
      .catch((error: unknown) => {
        console.error(JSON.stringify({ level: 'error', msg: 'local SES onAccepted failed', messageId: message.messageId, error: String(error) }));
      })
      .finally(() => callbacks.delete(run));
    callbacks.add(run);
  };

  /** Forwards to the emulator; `onAnswer` gets its status and body before anything is written back. */
  const forward = (req: IncomingMessage, body: Buffer, onAnswer: (status: number, headers: IncomingMessage['headers'], answer: Buffer) => void, onError: (error: Error) => void) => {
    const upstream = httpRequest({ host: '127.0.0.1', port: sesPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      const out: Buffer[] = [];
      up.on('data', (c: Buffer) => out.push(c));
      up.on('end', () => onAnswer(up.statusCode ?? 502, up.headers, Buffer.concat(out)));
      up.on('error', onError);
    });
    upstream.on('error', onError);
    upstream.end(body);
  };

  const unreachable = (res: ServerResponse) => (error: Error) => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `local SES unreachable: ${error.message}` }));
  };

  const hold = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    held.add(socket);
    res.on('close', () => {
      held.delete(socket);
      socket.destroy();
    });
  };

  const sendEmail = (req: IncomingMessage, res: ServerResponse, body: Buffer | null) => {
    const fault = options.faults?.next() ?? 'none';
    if (fault === 'fail') return answerError(res, 500, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.');
    if (fault === 'timeout') return hold(req, res);
    if (body === null) return answerError(res, 400, 'BadRequestException', 'Message length is more than 40 megabytes.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return answerError(res, 400, 'BadRequestException', 'The request body is not valid JSON.');
    }
    const checked = checkSendEmail(parsed);
    if ('refusal' in checked) return answerError(res, 400, 'BadRequestException', checked.refusal);
    if (limiter && !limiter.take(checked.recipients)) return answerError(res, 429, 'TooManyRequestsException', 'Maximum sending rate exceeded.');
    const sentAt = clock.now().toISOString();
    forward(
      req,
      body,
      (status, headers, answer) => {
        let messageId: string | undefined;
        if (status === 200) {
          try {
            messageId = (JSON.parse(answer.toString('utf8')) as { MessageId?: string }).MessageId;
          } catch {
            messageId = undefined;
          }
        }
        if (messageId) {
          acceptedAt.set(messageId, sentAt);
          notifyAccepted({ messageId, tags: checked.tags, at: sentAt });
          simulate(checked, messageId, sentAt);
        } else {
          limiter?.giveBack(checked.recipients);
        }
        if (fault === 'lose_answer') {
          req.socket.destroy();
          return;
        }
        res.writeHead(status, headers);
        res.end(answer);
      },
      unreachable(res),
    );
  };

  /** R-OPS-2: the verification state of an identity, as GetEmailIdentity answers it. */
  const describe = (i: LocalIdentity) => {
    const verified = i.preverified || clock.now().getTime() >= i.createdAt + VERIFY_AFTER_MS;
    const status = verified ? 'SUCCESS' : 'PENDING';
    return {
      IdentityType: i.type,
      FeedbackForwardingStatus: true,
      VerifiedForSendingStatus: verified,
      VerificationStatus: status,
      DkimAttributes:
        i.type === 'DOMAIN'
          ? { SigningEnabled: true, Status: status, Tokens: i.tokens, SigningAttributesOrigin: 'AWS_SES', CurrentSigningKeyLength: 'RSA_2048_BIT', NextSigningKeyLength: 'RSA_2048_BIT' }
          : { SigningEnabled: false, Status: 'NOT_STARTED', Tokens: [] },
      Policies: {},
      Tags: [],
    };
  };

  /**
   * SES v2 email identities, local only (the emulator has none): CreateEmailIdentity
   * (`POST /v2/email/identities`), GetEmailIdentity (`GET /v2/email/identities/{name}`),
   * ListEmailIdentities. Nothing is checked in DNS or a mailbox: an identity becomes verified
   * once the local clock is a minute past its creation.
   */
  const identityApi = (req: IncomingMessage, res: ServerResponse, body: Buffer | null) => {
    const path = (req.url ?? '').split('?')[0]!;
    const answer = (status: number, value: unknown) => {
      const text = JSON.stringify(value);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() });
      res.end(text);
    };
    if (req.method === 'POST' && path === '/v2/email/identities') {
      let input: { EmailIdentity?: unknown };
      try {
        input = JSON.parse((body ?? Buffer.alloc(0)).toString('utf8')) as { EmailIdentity?: unknown };
      } catch {
        return answerError(res, 400, 'BadRequestException', 'The request body is not valid JSON.');
      }
      if (typeof input.EmailIdentity !== 'string' || input.EmailIdentity.length === 0) return answerError(res, 400, 'BadRequestException', 'EmailIdentity is required.');
      const name = input.EmailIdentity.toLowerCase();
      if (identities.has(name)) return answerError(res, 400, 'AlreadyExistsException', `Email identity ${name} already exist.`);
      const identity: LocalIdentity = { name, type: name.includes('@') ? 'EMAIL_ADDRESS' : 'DOMAIN', createdAt: clock.now().getTime(), tokens: dkimTokens(), preverified: false };
      identities.set(name, identity);
      const { IdentityType, VerifiedForSendingStatus, DkimAttributes } = describe(identity);
      return answer(200, { IdentityType, VerifiedForSendingStatus, DkimAttributes });
    }
    if (req.method === 'GET' && path === '/v2/email/identities') {
      return answer(200, {
        EmailIdentities: [...identities.values()].map((i) => ({ IdentityType: i.type, IdentityName: i.name, SendingEnabled: true, VerificationStatus: describe(i).VerificationStatus })),
      });
    }
    const match = /^\/v2\/email\/identities\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && match) {
      const identity = identities.get(decodeURIComponent(match[1]!).toLowerCase());
      if (!identity) return answerError(res, 404, 'NotFoundException', `Email identity ${decodeURIComponent(match[1]!)} does not exist.`);
      return answer(200, describe(identity));
    }
    return answerError(res, 404, 'NotFoundException', `no local SES route ${req.method} ${path}`);
  };

  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      const body = size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : null;
      if (req.method === 'POST' && (req.url ?? '').split('?')[0] === '/v2/email/outbound-emails') return sendEmail(req, res, body);
      if ((req.url ?? '').startsWith('/v2/email/identities')) return identityApi(req, res, body);
      if (body === null) return answerError(res, 413, 'PayloadTooLargeException', 'Request body too large.');
      forward(
        req,
        body,
        (status, headers, answer) => {
          res.writeHead(status, headers);
          res.end(answer);
        },
        unreachable(res),
      );
    });
  });
  // The SES client sends once (maxAttempts 1: a send is not repeated blind). With Node's default
  // 5 s, an idle keep-alive socket closed by this server just as the client reuses it fails the
  // send with ECONNRESET, which the worker must treat as an unknown outcome (a loaded test run
  // saw it). Idle sockets stay open for the life of the local cloud instead; stop() closes them.
  proxy.keepAliveTimeout = 30 * 60_000;
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${proxyPort}`,
    viewerUrl: `http://127.0.0.1:${sesPort}/`,
    emails(filter = {}) {
      const wanted = filter.to?.toLowerCase();
      return store
        .getStoreReadonly()
        .emails.filter((e) => acceptedAt.has(e.messageId))
        .map((e) => ({
          messageId: e.messageId,
          to: e.destination.to,
          from: e.from,
          replyTo: e.replyTo,
          subject: e.subject,
          text: e.body.text ?? '',
          html: e.body.html ?? '',
          at: acceptedAt.get(e.messageId)!,
          reference: e.headers?.find((h) => h.name.toLowerCase() === 'x-relance-reference')?.value ?? null,
        }))
        .filter((e) => !wanted || e.to.some((t) => t.toLowerCase().includes(wanted)));
    },
    pendingEvents: () => queued.length,
    deliverEvents,
    async stop() {
      stopped = true;
      if (autoDeliver) clearTimeout(autoDeliver);
      for (const socket of held) socket.destroy();
      held.clear();
      await Promise.all([
        new Promise<void>((resolve) => {
          proxy.close(() => resolve());
          proxy.closeAllConnections();
        }),
        new Promise<void>((resolve) => {
          ses.closeAllConnections?.();
          ses.close(() => resolve());
        }),
      ]);
      await Promise.all([...callbacks]);
      await delivering;
    },
  };
}
