import { parseArgs } from 'node:util';
import { startLocalCloud } from './cloud.js';

/**
 * `npm start`: the whole back end on this machine, on embedded defaults.
 *   --port <n>         the HTTP front (default 3000, or $PORT)
 *   --persist          keep data across restarts, in .relance/data
 *   --data <dir>       keep data across restarts, in <dir>
 *   --clock frozen     the clock moves only through POST /_local/clock (default: it flows)
 *   --start <instant>  the clock's first instant (default now)
 *   --no-seed          do not create the demo organisation
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    persist: { type: 'boolean', default: false },
    data: { type: 'string' },
    clock: { type: 'string', default: 'flow' },
    start: { type: 'string' },
    'no-seed': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  allowPositionals: false,
});

if (values.help) {
  console.log('npm start -- [--port 3000] [--persist | --data <dir>] [--clock flow|frozen] [--start 2027-01-01T00:00:00Z] [--no-seed]');
  process.exit(0);
}
const port = Number(values.port ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not ${values.port}`);
if (values.clock !== 'flow' && values.clock !== 'frozen') throw new Error('--clock must be flow or frozen');
const start = values.start === undefined ? undefined : new Date(values.start);
if (start && Number.isNaN(start.getTime())) throw new Error(`--start must be an ISO instant, not ${values.start}`);
const persistDir = values.data ?? (values.persist ? '.relance/data' : undefined);

// Ctrl-C may come while everything is still starting: stop as soon as there is something to stop.
let cloud: Awaited<ReturnType<typeof startLocalCloud>> | undefined;
let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await cloud?.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

const began = Date.now();
cloud = await startLocalCloud({ port, persistDir, clock: { start, mode: values.clock }, seed: !values['no-seed'] });
if (stopping) {
  await cloud.stop();
  process.exit(0);
}
console.log(`
Relance is running locally (${Date.now() - began} ms)${persistDir ? `, data kept in ${persistDir}` : ', in memory'}

  API            ${cloud.urls.api}           (Bearer token: POST ${cloud.url}/_local/token)
  Admin console  ${cloud.urls.console}
  Mail viewer    ${cloud.urls.mailViewer}
  Stripe         ${cloud.stripe.apiBase}      (emulator; each organisation's test key: GET ${cloud.url}/_local/gateway)
  Health         ${cloud.url}/_local/health
  Clock          ${cloud.url}/_local/clock     now ${cloud.clock.now().toISOString()} (${cloud.clock.mode})

Ctrl-C stops everything.`);
