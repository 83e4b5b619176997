import { apiScript } from './script/api.js';
import { authScript } from './script/auth.js';
import { domScript } from './script/dom.js';
import { formatScript } from './script/format.js';
import { formsScript } from './script/forms.js';
import { localCloudScript } from './script/local-cloud.js';
import { membersScript } from './script/members.js';
import { membershipsScript } from './script/memberships.js';
import { plansScript } from './script/plans.js';
import { settingsScript } from './script/settings.js';
import { shellScript } from './script/shell.js';

/**
 * The console's browser script (`/console/app.js`): plain modern JavaScript, no framework and
 * no build step. The parts share one strict-mode function scope, in dependency order: helpers
 * first, views next, the shell that starts everything last.
 */
export const consoleScript = [
  '(function () {',
  "'use strict';",
  domScript,
  formatScript,
  authScript,
  apiScript,
  formsScript,
  settingsScript,
  plansScript,
  membersScript,
  membershipsScript,
  localCloudScript,
  shellScript,
  '})();',
  '',
].join('\n');
