import { App } from 'aws-cdk-lib';
import { addStacks } from '../app.js';
import { loadDeployConfig } from '../config.js';

const app = new App();
addStacks(app, loadDeployConfig((key) => app.node.tryGetContext(key)));
app.synth();
