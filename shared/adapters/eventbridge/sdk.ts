/**
 * The part of the EventBridge SDK Relance uses, imported on first publish (`import('./sdk.js')`):
 * a dynamic import of the package itself would keep every command of it in the bundle's chunk.
 */
export { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
