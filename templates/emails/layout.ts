import { brandColors, checkedUrl, escapeHtml, mailtoUrl, type BrandColors } from '../format.js';
import type { Block, EmailContent, Inline, LayoutCopy } from './content.js';
import type { EmailContext } from './types.js';

/**
 * The frame around every e-mail, in HTML and in plain text. The HTML is built for the common
 * clients: nested presentation tables, inline styles only, 600px wide at most, a button made
 * of a coloured table cell (Outlook draws its borders), a hidden preheader. Every string from
 * the copy or the data goes through `escapeHtml` here and nowhere else.
 */

const FONT = 'Arial,Helvetica,sans-serif';
const INK = '#1a1a1a';
const MUTED = '#51565e';
const PAGE_BG = '#f4f5f7';
const RULE = '#e3e5e8';

export function renderHtml(content: EmailContent, ctx: EmailContext, copy: LayoutCopy): string {
  const { branding } = ctx;
  const colors = brandColors(branding.primaryColor);
  const e = escapeHtml;

  const header = branding.logoUrl
    ? `<img src="${e(checkedUrl(branding.logoUrl))}" alt="${e(copy.logoAlt(branding.organisationName))}" width="160" style="display:block;width:160px;max-width:100%;height:auto;border:0;outline:none;text-decoration:none;font-family:${FONT};font-size:18px;font-weight:bold;color:${INK};">`
    : `<p style="margin:0;font-family:${FONT};font-size:18px;line-height:24px;font-weight:bold;color:${INK};">${e(branding.organisationName)}</p>`;

  const signature =
    content.audience === 'member'
      ? `<p style="margin:0;">${e(copy.signOff)}<br>${e(branding.senderName)}<br>${e(branding.organisationName)}</p>`
      : `<p style="margin:0;font-size:14px;line-height:20px;color:${MUTED};">${e(copy.staffSignature(branding.senderName, branding.organisationName))}</p>`;

  const [replyBefore, replyAfter] = copy.replyFooter(content.audience);
  const manageUrl = memberManageUrl(content, ctx);
  const footer =
    `<p style="margin:0 0 8px 0;">${e(replyBefore)}${emailLink(branding.replyTo, colors)}${e(replyAfter)}</p>` +
    `<p style="margin:0;">${e(copy.whyFooter(content.audience, branding.organisationName))}</p>` +
    (manageUrl
      ? `<p style="margin:8px 0 0 0;"><a href="${e(manageUrl)}" target="_blank" rel="noopener" style="color:${colors.link};">${e(copy.manageLink)}</a></p>`
      : '');

  const row = (html: string, padding = '0 32px 16px 32px') =>
    `<tr><td style="padding:${padding};font-family:${FONT};font-size:16px;line-height:24px;color:${INK};">${html}</td></tr>`;

  const body = [
    row(header, '24px 32px 16px 32px'),
    row(`<h1 style="margin:0;font-family:${FONT};font-size:22px;line-height:28px;font-weight:bold;color:${INK};">${e(content.heading)}</h1>`),
    row(`<p style="margin:0;">${e(content.greeting)}</p>`),
    ...content.blocks.map((block) => row(blockHtml(block, colors, copy), block.kind === 'button' ? '8px 32px 24px 32px' : undefined)),
    row(signature, '8px 32px 32px 32px'),
  ].join('\n');

  const filler = '&#847;&zwnj;&nbsp;'.repeat(40);
  return `<!DOCTYPE html>
<html lang="${e(ctx.locale)}" dir="ltr">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="x-apple-disable-message-reformatting">
<meta name="format-detection" content="telephone=no, date=no, address=no, email=no">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
<title>${e(content.subject)}</title>
</head>
<body style="margin:0;padding:0;width:100%;background-color:${PAGE_BG};">
<div style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all;color:${PAGE_BG};">${e(content.preheader)}${filler}</div>
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" style="width:100%;background-color:${PAGE_BG};">
<tr><td align="center" style="padding:24px 12px;">
<!--[if mso]><table role="presentation" width="600" cellspacing="0" cellpadding="0" border="0" align="center"><tr><td><![endif]-->
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" style="width:100%;max-width:600px;background-color:#ffffff;border-top:4px solid ${colors.primary};border-radius:4px;font-family:${FONT};font-size:16px;line-height:24px;color:${INK};">
${body}
</table>
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" style="width:100%;max-width:600px;">
<tr><td style="padding:16px 32px;font-family:${FONT};font-size:13px;line-height:19px;color:${MUTED};">${footer}</td></tr>
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr>
</table>
</body>
</html>
`;
}

function blockHtml(block: Block, colors: BrandColors, copy: LayoutCopy): string {
  const e = escapeHtml;
  switch (block.kind) {
    case 'paragraph':
      return `<p style="margin:0;">${block.parts.map((part) => inlineHtml(part, colors)).join('')}</p>`;
    case 'facts': {
      const rows = block.rows
        .map(
          ([label, value]) =>
            `<tr><td width="40%" style="width:40%;padding:8px 12px 8px 0;border-bottom:1px solid ${RULE};font-family:${FONT};font-size:14px;line-height:20px;color:${MUTED};vertical-align:top;">${e(label)}</td>` +
            `<td style="padding:8px 0;border-bottom:1px solid ${RULE};font-family:${FONT};font-size:15px;line-height:20px;font-weight:bold;color:${INK};vertical-align:top;">${e(value)}</td></tr>`,
        )
        .join('');
      return `<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" style="width:100%;border-collapse:collapse;border-top:1px solid ${RULE};">${rows}</table>`;
    }
    case 'quote':
      return (
        `<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" style="width:100%;"><tr>` +
        `<td style="padding:12px 16px;border-left:4px solid ${RULE};background-color:#f6f7f9;font-family:${FONT};font-size:15px;line-height:22px;color:${INK};">` +
        `<strong>${e(block.label)}</strong><br>${e(block.text).replace(/\r?\n/g, '<br>')}</td></tr></table>`
      );
    case 'button': {
      const href = e(checkedUrl(block.url));
      const c = colors.primary;
      return (
        `<table role="presentation" cellspacing="0" cellpadding="0" border="0"><tr>` +
        `<td align="center" bgcolor="${c}" style="border-radius:6px;background-color:${c};">` +
        `<a href="${href}" target="_blank" rel="noopener" style="display:inline-block;border-top:13px solid ${c};border-bottom:13px solid ${c};border-left:28px solid ${c};border-right:28px solid ${c};border-radius:6px;background-color:${c};font-family:${FONT};font-size:16px;line-height:20px;font-weight:bold;color:${colors.onPrimary};text-decoration:none;">${e(block.label)}</a>` +
        `</td></tr></table>` +
        `<p style="margin:16px 0 0 0;font-size:13px;line-height:19px;color:${MUTED};">${e(copy.buttonFallback)}<br>` +
        `<a href="${href}" target="_blank" rel="noopener" style="color:${colors.link};word-break:break-all;">${e(block.url)}</a></p>`
      );
    }
  }
}

/**
 * R-LNK-4: the member's "manage my membership" link for the footer, checked; none for staff
 * notices, even if a context carries one by mistake.
 */
function memberManageUrl(content: EmailContent, ctx: EmailContext): string | null {
  return content.audience === 'member' && ctx.manageUrl ? checkedUrl(ctx.manageUrl) : null;
}

function inlineHtml(part: Inline, colors: BrandColors): string {
  if (typeof part === 'string') return escapeHtml(part);
  if ('strong' in part) return `<strong>${escapeHtml(part.strong)}</strong>`;
  if ('link' in part) return `<a href="${escapeHtml(checkedUrl(part.url))}" target="_blank" rel="noopener" style="color:${colors.link};">${escapeHtml(part.link)}</a>`;
  return emailLink(part.email, colors);
}

function inlineText(part: Inline): string {
  if (typeof part === 'string') return part;
  if ('strong' in part) return part.strong;
  if ('link' in part) return `${part.link}:\n${checkedUrl(part.url)}\n`;
  return part.email;
}

function emailLink(address: string, colors: BrandColors): string {
  return `<a href="${escapeHtml(mailtoUrl(address))}" style="color:${colors.link};">${escapeHtml(address)}</a>`;
}

/** The plain-text part: the same blocks, one paragraph per line, URLs alone on their line. */
export function renderText(content: EmailContent, ctx: EmailContext, copy: LayoutCopy): string {
  const { branding } = ctx;
  const sep = copy.labelSeparator;
  const parts: string[] = [content.greeting];
  for (const block of content.blocks) {
    switch (block.kind) {
      case 'paragraph':
        parts.push(block.parts.map(inlineText).join('').trimEnd());
        break;
      case 'facts':
        parts.push(block.rows.map(([label, value]) => `${label}${sep}${value}`).join('\n'));
        break;
      case 'quote':
        parts.push(`${block.label}${sep.trimEnd()}\n${block.text.split(/\r?\n/).map((line) => `> ${line}`).join('\n')}`);
        break;
      case 'button':
        parts.push(`${block.label}${sep.trimEnd()}\n${checkedUrl(block.url)}`);
        break;
    }
  }
  parts.push(
    content.audience === 'member'
      ? `${copy.signOff}\n${branding.senderName}\n${branding.organisationName}`
      : copy.staffSignature(branding.senderName, branding.organisationName),
  );
  const [replyBefore, replyAfter] = copy.replyFooter(content.audience);
  const manageUrl = memberManageUrl(content, ctx);
  const manage = manageUrl ? `\n\n${copy.manageLink}${sep.trimEnd()}\n${manageUrl}` : '';
  parts.push(`-- \n${replyBefore}${branding.replyTo}${replyAfter}\n${copy.whyFooter(content.audience, branding.organisationName)}${manage}`);
  return `${parts.join('\n\n')}\n`;
}
