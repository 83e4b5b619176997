import { App, type AppProps } from 'aws-cdk-lib';
import { parseDeployConfig, requireRegion, type DeployConfigInput } from './config.js';
import { StatefulStack } from './stacks/stateful.js';
import { StatelessStack } from './stacks/stateless.js';

export interface RelanceStacks {
  app: App;
  stateful: StatefulStack;
  stateless: StatelessStack;
}

/** The two stacks of one deployment: `Relance-<stage>-Stateful` and `Relance-<stage>-Stateless`. */
export function buildApp(config: DeployConfigInput, appProps: AppProps = {}): RelanceStacks {
  const app = new App(appProps);
  return addStacks(app, config);
}

/**
 * Validates the configuration (item 7, R-OPS-5: a region, an alarm address outside dev…) with
 * the messages an operator reads at synth, then adds both stacks.
 */
export function addStacks(app: App, input: DeployConfigInput): RelanceStacks {
  const config = parseDeployConfig(input);
  const env = { account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT, region: requireRegion(config) };
  const tags = { application: 'relance', stage: config.stage };
  const stateful = new StatefulStack(app, `Relance-${config.stage}-Stateful`, { config, env, tags, description: 'Relance data: table, admin users, link keys, mail identity, schedule group, scheduler role, dead letters' });
  const stateless = new StatelessStack(app, `Relance-${config.stage}-Stateless`, {
    config,
    env,
    tags,
    description: 'Relance API, functions, dunning, e-mail, alarms, dashboard',
    table: stateful.table,
    userPool: stateful.userPool,
    linkKeys: stateful.linkKeys,
  });
  return { app, stateful, stateless };
}
