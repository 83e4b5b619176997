import { App, type AppProps } from 'aws-cdk-lib';
import type { DeployConfig } from './config.js';
import { StatefulStack } from './stacks/stateful.js';
import { StatelessStack } from './stacks/stateless.js';

export interface RelanceStacks {
  app: App;
  stateful: StatefulStack;
  stateless: StatelessStack;
}

/** The two stacks of one deployment: `Relance-<stage>-Stateful` and `Relance-<stage>-Stateless`. */
export function buildApp(config: DeployConfig, appProps: AppProps = {}): RelanceStacks {
  const app = new App(appProps);
  return addStacks(app, config);
}

export function addStacks(app: App, config: DeployConfig): RelanceStacks {
  const env = { account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT, region: config.region ?? process.env.CDK_DEFAULT_REGION };
  const tags = { application: 'relance', stage: config.stage };
  const stateful = new StatefulStack(app, `Relance-${config.stage}-Stateful`, { config, env, tags, description: 'Relance data: table, admin users, link keys' });
  const stateless = new StatelessStack(app, `Relance-${config.stage}-Stateless`, {
    config,
    env,
    tags,
    description: 'Relance API, functions, timers, dunning, e-mail',
    table: stateful.table,
    userPool: stateful.userPool,
    linkKeys: stateful.linkKeys,
  });
  return { app, stateful, stateless };
}
