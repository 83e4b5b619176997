/** The e-mail contract lives with the use cases that decide the mail (shared/ports/emails.ts). */
export type * from '../../shared/ports/emails.js';
