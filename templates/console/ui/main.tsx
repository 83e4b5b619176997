import { render } from 'preact';
import { App } from './shell.js';

/** The console's entry (compiled by templates/console/build.ts into /console/app.js). */
render(<App />, document.getElementById('app')!);
