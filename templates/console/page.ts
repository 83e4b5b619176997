/**
 * The console's one HTML page. Everything the browser needs to sign in is in the embedded
 * `relance-config` block; the page itself holds no inline script or style (the CSP forbids both).
 */
export type ConsoleConfig =
  | { mode: 'local' }
  | {
      mode: 'cognito';
      /** Origin of the Cognito hosted UI, e.g. https://relance-prod.auth.ca-central-1.amazoncognito.com */
      domain: string;
      clientId: string;
      /** The console's own URL: the OAuth redirect and logout URI registered on the app client. */
      redirectUri: string;
    };

export interface PageAssets {
  scriptUrl: string;
  styleUrl: string;
}

/**
 * JSON that is safe inside a `<script>` element: `<`, `>` and `&` are written as \u escapes,
 * so no value can close the element or open a comment, and U+2028/2029 cannot end a line.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function attribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function renderPage(config: ConsoleConfig, assets: PageAssets): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>Relance console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${attribute(assets.styleUrl)}">
<script type="application/json" id="relance-config">${scriptSafeJson(config)}</script>
<script type="module" src="${attribute(assets.scriptUrl)}"></script>
</head>
<body>
<div id="app"><p class="boot">Loading the Relance console…</p></div>
<noscript><p class="boot">The Relance console needs JavaScript.</p></noscript>
</body>
</html>
`;
}
