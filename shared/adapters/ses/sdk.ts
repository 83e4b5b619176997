/**
 * The part of the SES v2 SDK Relance uses, imported on first use (`import('./sdk.js')`): a
 * dynamic import of the package itself would keep every command of it in the bundle's chunk.
 */
export {
  AccountSuspendedException,
  AlreadyExistsException,
  BadRequestException,
  CreateEmailIdentityCommand,
  GetEmailIdentityCommand,
  LimitExceededException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  NotFoundException,
  SendEmailCommand,
  SendingPausedException,
  SESv2Client,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
