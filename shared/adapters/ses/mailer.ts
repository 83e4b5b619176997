import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Address, Mailer, OutgoingEmail } from '../../ports/mailer.js';

/** RFC 5322 mailbox: `"Name" <email>`, with the display name quoted and escaped. */
export function formatAddress(a: Address): string {
  if (!a.name) return a.email;
  const name = a.name.replace(/[\r\n]/g, ' ').replace(/(["\\])/g, '\\$1');
  return `"${name}" <${a.email}>`;
}

/** SES v2 SendEmail with an HTML and a text part. */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly configurationSetName: string | undefined,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const out = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: formatAddress(email.from),
        Destination: { ToAddresses: email.to.map(formatAddress) },
        ReplyToAddresses: email.replyTo.map(formatAddress),
        ConfigurationSetName: this.configurationSetName,
        EmailTags: Object.entries(email.tags ?? {}).map(([Name, Value]) => ({ Name, Value })),
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
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
