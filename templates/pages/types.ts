/** The link-page contract lives with the use cases (shared/ports/pages.ts). */
export type * from '../../shared/ports/pages.js';
