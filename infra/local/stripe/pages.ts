/**
 * The hosted pages that stand in for Stripe Checkout (setup mode) and the 3-D Secure challenge:
 * small accessible HTML, one form of buttons each.
 */

import type { TestCard } from './cards.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Stripe (local test mode)</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f8fa;color:#1a1f36}
main{max-width:32rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px}
ul{list-style:none;padding:0}li{margin:.4rem 0}
button{width:100%;padding:.6rem;font:inherit;text-align:left;border:1px solid #8792a2;border-radius:6px;background:#fff;cursor:pointer}
button:focus,a:focus{outline:3px solid #635bff;outline-offset:2px}
.note{color:#4f566b}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** Checkout (setup mode): one button per test card, and a way out to `cancel_url`. */
export function checkoutPage(sessionId: string, cards: readonly TestCard[], cancelUrl: string | null): string {
  const buttons = cards
    .map((c) => `<li><button type="submit" name="card" value="${escapeHtml(c.token)}">${escapeHtml(c.label)}</button></li>`)
    .join('\n');
  return page(
    'Save a card',
    `<h1>Save a card for future payments</h1>
<p class="note">Test mode: choose a test card. Nothing is charged now.</p>
<form method="post" action="/checkout/${escapeHtml(sessionId)}">
<fieldset>
<legend>Test cards</legend>
<ul>
${buttons}
</ul>
</fieldset>
</form>
${cancelUrl ? `<p><a href="${escapeHtml(cancelUrl)}">Cancel</a></p>` : ''}`,
  );
}

/** The 3-D Secure challenge of a PaymentIntent. */
export function authenticationPage(paymentIntentId: string, amount: string): string {
  return page(
    'Authenticate the payment',
    `<h1>Authenticate the payment</h1>
<p>3-D Secure test challenge for a payment of <strong>${escapeHtml(amount)}</strong>.</p>
<form method="post" action="/authenticate/${escapeHtml(paymentIntentId)}">
<ul>
<li><button type="submit" name="result" value="complete">Complete authentication</button></li>
<li><button type="submit" name="result" value="fail">Fail authentication</button></li>
</ul>
</form>`,
  );
}

/** A page that only says something (an error, or that there is nothing left to do). */
export function messagePage(title: string, message: string, link?: { href: string; text: string }): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>${link ? `\n<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : ''}`);
}
