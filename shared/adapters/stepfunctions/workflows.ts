import type { SFNClient } from '@aws-sdk/client-sfn';
import type { WorkflowName, Workflows } from '../../ports/workflows.js';
import { type ClientSource, clientOf } from '../lazy-client.js';

/** The command and error, from the chunk that holds the client (loaded on the first start). */
const sdk = () => import('./sdk.js');

/** Step Functions Standard: an execution name is unique per state machine for 90 days. */
export class StepFunctionsWorkflows implements Workflows {
  constructor(
    private readonly client: ClientSource<SFNClient>,
    private readonly stateMachines: Record<WorkflowName, string>,
  ) {}

  async start(workflow: WorkflowName, executionName: string, input: object) {
    const stateMachineArn = this.stateMachines[workflow];
    const [client, { StartExecutionCommand, ExecutionAlreadyExists }] = await Promise.all([clientOf(this.client), sdk()]);
    try {
      // StartExecution is idempotent for the same name and input: it answers with the existing execution.
      const out = await client.send(
        new StartExecutionCommand({ stateMachineArn, name: executionName, input: JSON.stringify(input) }),
      );
      return { executionArn: out.executionArn! };
    } catch (error) {
      // The same name with a different input (e.g. a retried start after the input changed).
      if (error instanceof ExecutionAlreadyExists) {
        const arn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
        return { executionArn: arn };
      }
      throw error;
    }
  }
}
