import type { DkimAttributes, SESv2Client } from '@aws-sdk/client-sesv2';
import { type DnsRecord, IdentityExistsError, type IdentityStatus, type IdentityVerification, type SenderIdentities } from '../../ports/identities.js';
import { type ClientSource, clientOf } from '../lazy-client.js';

/** The commands and errors, from the chunk that holds the client (loaded on the first identity call). */
const sdk = () => import('./sdk.js');

/** Easy DKIM: each token is published as `<token>._domainkey.<domain>` CNAME `<token>.dkim.amazonses.com`. */
function dkimRecords(domain: string, dkim: DkimAttributes | undefined): DnsRecord[] {
  return (dkim?.Tokens ?? []).map((token) => ({ name: `${token}._domainkey.${domain}`, type: 'CNAME', value: `${token}.dkim.amazonses.com` }));
}

const VERIFICATION: Record<string, IdentityVerification> = {
  PENDING: 'pending',
  SUCCESS: 'success',
  FAILED: 'failed',
  TEMPORARY_FAILURE: 'temporary_failure',
  NOT_STARTED: 'not_started',
};

/** R-OPS-2: SES v2 email identities (the same client talks to the local SES, which fakes them). */
export class SesIdentities implements SenderIdentities {
  /**
   * `tag` (`relance:stage=<stage>`, from SES_IDENTITY_TAG) is set on every identity created: the
   * stack lets the functions create, read and send from this stage's tagged identities only.
   */
  constructor(
    private readonly client: ClientSource<SESv2Client>,
    private readonly tag?: { key: string; value: string },
  ) {}

  async start(identity: string, type: 'domain' | 'email'): Promise<IdentityStatus> {
    const [client, { CreateEmailIdentityCommand, AlreadyExistsException }] = await Promise.all([clientOf(this.client), sdk()]);
    try {
      const tags = this.tag ? { Tags: [{ Key: this.tag.key, Value: this.tag.value }] } : {};
      const out = await client.send(new CreateEmailIdentityCommand({ EmailIdentity: identity, ...tags }));
      return {
        identity,
        type,
        verified: out.VerifiedForSendingStatus === true,
        verification: out.VerifiedForSendingStatus ? 'success' : 'pending',
        dkimRecords: type === 'domain' ? dkimRecords(identity, out.DkimAttributes) : [],
      };
    } catch (error) {
      if (error instanceof AlreadyExistsException) throw new IdentityExistsError(identity);
      throw error;
    }
  }

  async get(identity: string): Promise<IdentityStatus | null> {
    const [client, { GetEmailIdentityCommand, NotFoundException }] = await Promise.all([clientOf(this.client), sdk()]);
    try {
      const out = await client.send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
      const type = out.IdentityType === 'EMAIL_ADDRESS' ? 'email' : 'domain';
      return {
        identity,
        type,
        verified: out.VerifiedForSendingStatus === true,
        verification: VERIFICATION[out.VerificationStatus ?? ''] ?? (out.VerifiedForSendingStatus ? 'success' : 'pending'),
        dkimRecords: type === 'domain' ? dkimRecords(identity, out.DkimAttributes) : [],
      };
    } catch (error) {
      // Denied: an identity this stage did not create (IAM reads tagged identities only) is not ours.
      if (error instanceof NotFoundException || (error instanceof Error && error.name === 'AccessDeniedException')) return null;
      throw error;
    }
  }
}
