/**
 * R-OPS-2: the SES sending identities organisations verify (SESv2 CreateEmailIdentity /
 * GetEmailIdentity). SES keeps their status; the table records which organisation owns which.
 */
export interface DnsRecord {
  name: string;
  type: 'CNAME';
  value: string;
}

export type IdentityVerification = 'pending' | 'success' | 'failed' | 'temporary_failure' | 'not_started';

export interface IdentityStatus {
  identity: string;
  type: 'domain' | 'email';
  /** SES lets mail be sent from it. */
  verified: boolean;
  verification: IdentityVerification;
  /** A domain's Easy DKIM records to publish (three CNAMEs); none for an address (SES e-mails it a link). */
  dkimRecords: DnsRecord[];
}

/** SES already has this identity (another organisation's, or the deployment's own). */
export class IdentityExistsError extends Error {
  constructor(readonly identity: string) {
    super(`SES already has the identity ${identity}`);
  }
}

export interface SenderIdentities {
  /** Starts verification; IdentityExistsError when SES already has the identity. */
  start(identity: string, type: 'domain' | 'email'): Promise<IdentityStatus>;
  /** SES's status of the identity, or null when SES does not know it. */
  get(identity: string): Promise<IdentityStatus | null>;
}
