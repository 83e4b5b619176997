/**
 * The part of the Scheduler SDK Relance uses, imported on first use (`import('./sdk.js')`): a
 * dynamic import of the package itself would keep every command of it in the bundle's chunk.
 */
export { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
