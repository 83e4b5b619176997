/**
 * The console's stylesheet (`/console/app.css`). System fonts, one accent colour, readable
 * from a phone to a laptop: below 720px tables turn into stacked cards and the local-cloud
 * panel moves under the page.
 */
export const consoleStyles = String.raw`
:root {
  --accent: #0b5cad;
  --accent-soft: #e7f0fa;
  --text: #1d232b;
  --muted: #5b6673;
  --line: #d9dee4;
  --bg: #f5f7f9;
  --card: #ffffff;
  --ok: #1f7a3f;
  --ok-soft: #e6f4ea;
  --warn: #8a5a00;
  --warn-soft: #fff4d6;
  --danger: #b3261e;
  --danger-soft: #fdecea;
  --radius: 8px;
  color-scheme: light;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 15px;
  line-height: 1.45;
  color: var(--text);
  background: var(--bg);
}

* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; }
h1 { font-size: 1.5rem; margin: 0; }
h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
h3 { font-size: 1rem; margin: 1rem 0 .5rem; }
a { color: var(--accent); }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; }
code.small { color: var(--muted); font-size: .75em; }
.muted { color: var(--muted); }
.boot { padding: 2rem; color: var(--muted); }

/* Top bar */
.topbar {
  display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem;
  padding: .6rem 1.25rem; background: var(--card); border-bottom: 1px solid var(--line);
  position: sticky; top: 0; z-index: 1;
}
.brand { font-weight: 700; font-size: 1.15rem; text-decoration: none; color: var(--text); }
.main-nav { display: flex; flex-wrap: wrap; gap: .25rem; flex: 1; }
.main-nav a, .tabs a {
  padding: .35rem .7rem; border-radius: 999px; text-decoration: none; color: var(--text);
}
.main-nav a:hover, .tabs a:hover { background: var(--bg); }
.main-nav a[aria-current="page"], .tabs a[aria-current="page"] { background: var(--accent-soft); color: var(--accent); font-weight: 600; }
.user { display: flex; align-items: center; gap: .75rem; font-size: .9rem; }

/* Layout */
.layout { max-width: 1200px; margin: 0 auto; padding: 1.25rem; }
.layout.with-panel { max-width: 1500px; display: grid; grid-template-columns: minmax(0, 1fr) 360px; gap: 1.25rem; align-items: start; }
main:focus { outline: none; }
main[aria-busy="true"] { opacity: .6; transition: opacity .2s .15s; }
.page-header { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: .75rem; margin-bottom: 1rem; }
.actions, .button-row, .form-actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem 1.25rem; margin-bottom: 1rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 0 1rem; }
.tabs { display: flex; flex-wrap: wrap; gap: .25rem; margin-bottom: 1rem; }

/* Buttons */
button, .button {
  font: inherit; display: inline-block; padding: .45rem .9rem; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--line); background: var(--card); color: var(--text); text-decoration: none; line-height: 1.3;
}
button:hover, .button:hover { border-color: var(--muted); }
button:disabled { opacity: .55; cursor: progress; }
button:focus-visible, .button:focus-visible, a:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible {
  outline: 2px solid var(--accent); outline-offset: 2px;
}
.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
.primary:hover { filter: brightness(1.1); border-color: var(--accent); }
.danger { color: var(--danger); border-color: var(--danger); }
.link { border: none; background: none; color: var(--accent); padding: .2rem .3rem; text-decoration: underline; }

/* Tables */
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .5rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); font-weight: 600; }
tbody tr:hover { background: #fafbfc; }
.empty { color: var(--muted); font-style: italic; margin: .25rem 0; }
.pager { margin-top: .75rem; }

/* Facts */
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 0; }
.facts > div { display: contents; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }

/* Badges */
.badge {
  display: inline-block; padding: .1rem .55rem; border-radius: 999px; font-size: .8rem; font-weight: 600;
  background: var(--bg); color: var(--muted); border: 1px solid var(--line); white-space: nowrap;
}
.badge-active, .badge-paid, .badge-sent, .badge-ok { background: var(--ok-soft); color: var(--ok); border-color: transparent; }
.badge-pending, .badge-open, .badge-cancellation_requested, .badge-cancel_scheduled, .badge-queued { background: var(--warn-soft); color: var(--warn); border-color: transparent; }
.badge-past_due, .badge-intervention, .badge-failed, .badge-uncollectible, .badge-terminated { background: var(--danger-soft); color: var(--danger); border-color: transparent; }

/* Forms */
fieldset { border: none; border-top: 1px solid var(--line); margin: 0 0 .5rem; padding: .75rem 0 0; }
fieldset:first-of-type { border-top: none; padding-top: 0; }
legend { font-weight: 600; padding: 0; margin-bottom: .5rem; }
.field { display: flex; flex-direction: column; gap: .25rem; margin-bottom: .85rem; min-width: 0; }
.field > label { font-weight: 500; font-size: .9rem; }
.field-row { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 0 1rem; }
.field-check label { display: flex; gap: .5rem; align-items: center; font-weight: 400; }
input, select, textarea {
  font: inherit; padding: .45rem .6rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; color: var(--text); width: 100%;
}
input[type="checkbox"] { width: auto; margin: 0; }
textarea { resize: vertical; }
.hint { color: var(--muted); font-size: .8rem; }
.invalid input, .invalid select, .invalid textarea { border-color: var(--danger); }
.field-error { color: var(--danger); font-size: .85rem; }
.form-actions { margin-top: .5rem; }

/* Alerts */
.alert { border-radius: var(--radius); padding: .7rem 1rem; margin-bottom: 1rem; border: 1px solid transparent; }
.alert p { margin: 0; }
.alert ul { margin: .4rem 0 0; padding-left: 1.2rem; }
.alert-title { font-weight: 600; }
.alert-error { background: var(--danger-soft); color: var(--danger); border-color: #f3c5c1; }
.alert-ok { background: var(--ok-soft); color: var(--ok); }
.alert-info { background: var(--accent-soft); color: var(--accent); }

/* Timeline */
.timeline { list-style: none; margin: 0; padding: 0; }
.timeline li { padding: .6rem 0 .6rem 1rem; border-left: 3px solid var(--accent-soft); margin-left: .25rem; }
.timeline li + li { border-top: 1px dashed var(--line); }
.timeline-head time { color: var(--muted); font-size: .9rem; margin-left: .4rem; }
.data { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .75rem; margin: .35rem 0 0; font-size: .85rem; }
.data dt { color: var(--muted); }
.data dd { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }

/* Local cloud panel */
.local-cloud { background: var(--card); border: 1px dashed var(--accent); border-radius: var(--radius); padding: 1rem; position: sticky; top: 4.5rem; max-height: calc(100vh - 5.5rem); overflow-y: auto; }
.local-cloud h2 { color: var(--accent); }
.clock { margin: 0 0 .6rem; font-weight: 600; }
.fired { margin: .75rem 0; font-size: .9rem; }
.fired-list { margin: .3rem 0; padding-left: 1.1rem; }
.fired-list .failed { color: var(--danger); }
.email-list { list-style: none; margin: .5rem 0; padding: 0; }
.plain { list-style: none; margin: 0; padding: 0; }
.email-list li { border-bottom: 1px solid var(--line); padding: .4rem 0; }
.email-list summary { cursor: pointer; display: flex; flex-direction: column; }
.email-subject { font-weight: 500; }
.email-list summary .muted { font-size: .8rem; }
.email-text { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--bg); padding: .6rem; border-radius: 6px; max-height: 24rem; overflow-y: auto; }
.local-links { display: flex; gap: 1rem; margin: .75rem 0 0; font-size: .9rem; }

/* Console frame (issue 11) */
.visually-hidden { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.skip-link { position: absolute; left: .5rem; top: -3rem; background: var(--card); padding: .4rem .8rem; border-radius: 6px; z-index: 2; }
.skip-link:focus { top: .5rem; }
.subtitle { margin: .25rem 0 0; }
.page-actions { display: flex; flex-wrap: wrap; gap: .5rem; }
.language select { width: auto; padding: .25rem .4rem; }
.alert-warn { background: var(--warn-soft); color: var(--warn); }
.action-panel h2 { margin-bottom: .35rem; }
.review { border-top: 1px solid var(--line); margin-top: .5rem; padding-top: .5rem; }
.review h3:focus, .result:focus, h1:focus { outline: 2px solid var(--accent); outline-offset: 2px; }
.result:focus { outline-offset: 4px; }
.searchbar { display: flex; flex-wrap: wrap; gap: .5rem; align-items: flex-end; margin-bottom: 1rem; }
.searchbar .field { margin: 0; flex: 1 1 16rem; }
.counts { display: flex; flex-wrap: wrap; gap: .4rem; list-style: none; padding: 0; margin: 0 0 1rem; }
.counts a { display: inline-flex; gap: .4rem; align-items: center; padding: .3rem .7rem; border: 1px solid var(--line); border-radius: 999px; text-decoration: none; color: var(--text); background: var(--card); }
.counts a[aria-current="true"] { background: var(--accent-soft); border-color: var(--accent); color: var(--accent); font-weight: 600; }
.count { font-variant-numeric: tabular-nums; font-weight: 600; }
.nowrap { white-space: nowrap; }
.badge-approved, .badge-recovered { background: var(--ok-soft); color: var(--ok); border-color: transparent; }
.badge-change_requested, .badge-intervention_required { background: var(--warn-soft); color: var(--warn); border-color: transparent; }
.badge-refused, .badge-lost { background: var(--danger-soft); color: var(--danger); border-color: transparent; }

/* renewals */
.member-message { white-space: pre-wrap; overflow-wrap: anywhere; margin: .25rem 0; }
blockquote.member-message { border-left: 3px solid var(--line); padding: .25rem .75rem; }

/* members */
.searchbar > .hint { flex-basis: 100%; margin: 0; }
.local-links { flex-wrap: wrap; }

/* memberships and invoices */
.action-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr)); gap: 0 1rem; align-items: start; }
.action-panel .facts { grid-template-columns: 1fr; gap: .3rem; }
.event-details { margin: .2rem 0 0; font-size: .9rem; }

/* plans and settings */
.facts-pairs .facts > div { display: contents; }
.swatch { display: inline-block; width: 1em; height: 1em; vertical-align: -.15em; margin-right: .4em; border: 1px solid var(--muted); border-radius: 3px; }

/* Login */
.login { display: grid; place-items: center; min-height: 100vh; padding: 1rem; }
.login-card { width: min(420px, 100%); text-align: center; }
.login-card h1 { font-size: 2rem; margin-bottom: .25rem; }

/* Phones and narrow windows */
@media (max-width: 1000px) {
  .layout.with-panel { grid-template-columns: minmax(0, 1fr); }
  .local-cloud { position: static; max-height: none; }
}
@media (max-width: 720px) {
  .layout { padding: .75rem; }
  .topbar { padding: .5rem .75rem; }
  .card { padding: .85rem; }
  thead { display: none; }
  table, tbody, tr, td { display: block; width: 100%; }
  tr { border-bottom: 1px solid var(--line); padding: .4rem 0; }
  td { border: none; padding: .2rem 0; display: grid; grid-template-columns: 9rem 1fr; gap: .5rem; }
  td::before { content: attr(data-label); color: var(--muted); font-size: .85rem; }
  .facts { grid-template-columns: 1fr; gap: 0; }
  .facts dd { margin-bottom: .5rem; }
}
`;
