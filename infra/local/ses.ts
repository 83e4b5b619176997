import { createServer, request as httpRequest, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
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
  stop(): Promise<void>;
}

/**
 * SES v2 on 127.0.0.1: the `aws-ses-v2-local` emulator (real SendEmail API, a mail viewer),
 * behind a small proxy that notes the clock time of every accepted message, so the mail list
 * shows clock time rather than wall time.
 */
export async function startLocalSes(clock: LocalClock): Promise<LocalSes> {
  const sesModule = require('aws-ses-v2-local') as { default: (c: { host: string; port: number }) => Promise<Server> };
  const store = require('aws-ses-v2-local/dist/store') as { getStoreReadonly(): { emails: StoredEmail[] }; clearStore(): void };
  store.clearStore();
  const sesPort = await freePort();
  const ses = await sesModule.default({ host: '127.0.0.1', port: sesPort });
  const acceptedAt = new Map<string, string>();

  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const sentAt = clock.now().toISOString();
      const upstream = httpRequest(
        { host: '127.0.0.1', port: sesPort, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          const out: Buffer[] = [];
          up.on('data', (c: Buffer) => out.push(c));
          up.on('end', () => {
            const body = Buffer.concat(out);
            if (up.statusCode === 200) {
              try {
                const id = (JSON.parse(body.toString('utf8')) as { MessageId?: string }).MessageId;
                if (id) acceptedAt.set(id, sentAt);
              } catch {
                // not a SendEmail answer
              }
            }
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(body);
          });
        },
      );
      upstream.on('error', (error) => {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `local SES unreachable: ${error.message}` }));
      });
      upstream.end(Buffer.concat(chunks));
    });
  });
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
    async stop() {
      await Promise.all([
        new Promise<void>((resolve) => proxy.close(() => resolve())),
        new Promise<void>((resolve) => {
          ses.closeAllConnections?.();
          ses.close(() => resolve());
        }),
      ]);
    },
  };
}
