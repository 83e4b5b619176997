/**
 * The part of the SSM SDK Relance uses, imported on first use (`import('./sdk.js')`): a dynamic
 * import of the package itself would keep every command of it (hundreds) in the bundle's chunk.
 */
export { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
