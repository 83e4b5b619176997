import type { Locale } from '../../shared/domain/schema.js';
import { cardBrandName, formatDate, formatMoney, headerText } from '../format.js';
import type { Catalog, EmailContent, Formatters } from './content.js';
import { en } from './i18n/en.js';
import { frCA } from './i18n/fr-CA.js';
import { renderHtml, renderText } from './layout.js';
import type { EmailRenderer } from '../../shared/ports/mailer.js';
import type { EmailContext, RenderedEmail, TemplateData, TemplateId } from './types.js';

const CATALOGS: Record<Locale, Catalog> = { 'fr-CA': frCA, en };

/**
 * Renders one member or staff e-mail in the context's locale: a one-line subject, the HTML part
 * (every value escaped) and the plain-text part. Throws a RangeError for an unknown template
 * or locale, a link that is not an absolute http(s) URL, or copy with more than one button.
 */
export function renderEmail<T extends TemplateId>(id: T, data: TemplateData[T], ctx: EmailContext): RenderedEmail {
  const catalog = CATALOGS[ctx.locale];
  if (!catalog) throw new RangeError(`no e-mail copy for locale ${JSON.stringify(ctx.locale)}`);
  const template = catalog.templates[id] as ((data: TemplateData[T], f: Formatters) => EmailContent) | undefined;
  if (!template) throw new RangeError(`unknown e-mail template ${JSON.stringify(id)}`);

  const f: Formatters = {
    date: (date) => formatDate(date, ctx.locale),
    money: (money) => formatMoney(money, ctx.locale),
    card: (brand, last4) => catalog.layout.card(cardBrandName(brand), last4),
    branding: ctx.branding,
  };
  const content = template(data, f);
  if (content.blocks.filter((block) => block.kind === 'button').length > 1) {
    throw new RangeError(`e-mail template ${id} has more than one call to action`);
  }
  const subject = headerText(content.subject);
  return {
    subject,
    html: renderHtml({ ...content, subject }, ctx, catalog.layout),
    text: renderText(content, ctx, catalog.layout),
  };
}

/** The templates as the mail worker's renderer (shared/ports/mailer.ts). */
export const emailRenderer: EmailRenderer = {
  render: (template, data, ctx) => renderEmail(template, data as never, ctx),
};
