import { describe, expect, it } from 'vitest';
import { LOCAL_ACCOUNT, LOCAL_REGION, functionArn } from '../../infra/local/functions.js';
import { resolveStateMachines } from '../../infra/local/stepfunctions.js';
import type { CfnTemplate } from '../../infra/local/template.js';
import { DUNNING_STATES } from '../../infra/state-machines/dunning.js';
import { testTemplates } from '../support/aws.js';

const env = { region: LOCAL_REGION, account: LOCAL_ACCOUNT };

/** A one-task machine whose FunctionName is the given token. */
function templateWith(token: unknown): CfnTemplate {
  return {
    Resources: {
      StepFn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'relance-local-step' } },
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: 'relance-local-tiny',
          DefinitionString: {
            'Fn::Join': ['', ['{"StartAt":"Go","States":{"Go":{"Type":"Task","Resource":"arn:', { Ref: 'AWS::Partition' }, ':states:::lambda:invoke","Parameters":{"FunctionName":"', token, '"},"End":true}}}']],
          },
        },
      },
    },
  };
}

describe('resolveStateMachines', () => {
  it('resolves the synthesized dunning machine with the local dunning function ARN in both tasks', () => {
    const machines = resolveStateMachines(testTemplates().stateless, env);

    const dunning = machines.find((m) => m.name === 'relance-local-dunning');
    expect(dunning?.arn).toBe(`arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:relance-local-dunning`);
    const states = dunning!.definition.States as Record<string, { Resource?: string; Parameters?: { FunctionName?: string } }>;
    for (const name of [DUNNING_STATES.plan, DUNNING_STATES.attempt]) {
      expect(states[name]?.Resource).toBe('arn:aws:states:::lambda:invoke');
      expect(states[name]?.Parameters?.FunctionName).toBe(functionArn('relance-local-dunning'));
    }
  });

  it('resolves Fn::GetAtt to the Lambda ARN in the given region and account', () => {
    const [machine] = resolveStateMachines(templateWith({ 'Fn::GetAtt': ['StepFn', 'Arn'] }), { region: 'eu-west-3', account: '123456789012' });

    expect(machine?.arn).toBe('arn:aws:states:eu-west-3:123456789012:stateMachine:relance-local-tiny');
    expect(JSON.stringify(machine?.definition)).toContain('"FunctionName":"arn:aws:lambda:eu-west-3:123456789012:function:relance-local-step"');
  });

  it('names the token and the state machine it cannot resolve', () => {
    const template = templateWith({ 'Fn::ImportValue': 'SharedFunctionArn' });

    expect(() => resolveStateMachines(template, env)).toThrow(/relance-local-tiny.*Fn::ImportValue.*SharedFunctionArn/);
  });

  it('refuses Fn::GetAtt of a resource that is not a Lambda function', () => {
    const template = templateWith({ 'Fn::GetAtt': ['Machine', 'Arn'] });

    expect(() => resolveStateMachines(template, env)).toThrow(/relance-local-tiny.*"Fn::GetAtt":\["Machine","Arn"\]/);
  });
});
