/** Durable workflows (Step Functions Standard state machines). */
export type WorkflowName = 'dunning';

export interface Workflows {
  /**
   * Starts one execution per `executionName`: starting a name that already exists (running or
   * finished) is a no-op that answers with the existing execution.
   */
  start(workflow: WorkflowName, executionName: string, input: object): Promise<{ executionArn: string }>;
}
