/**
 * The part of the Step Functions SDK Relance uses, imported on first use (`import('./sdk.js')`):
 * a dynamic import of the package itself would keep every command of it in the bundle's chunk.
 */
export { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
