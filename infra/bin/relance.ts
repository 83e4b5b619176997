import { App } from 'aws-cdk-lib';
import { addStacks } from '../app.js';
import { loadDeployConfig } from '../config.js';

const app = new App();
try {
  // Item 7: a configuration that cannot surprise: no region, no alarm address outside dev… stop here, in words.
  addStacks(app, loadDeployConfig((key) => app.node.tryGetContext(key)));
} catch (error) {
  console.error(`Relance: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
app.synth();
