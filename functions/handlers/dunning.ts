import middy from '@middy/core';
import type { Deps } from '../../shared/deps.js';
import { dunningStep, type DunningStep } from '../../shared/use-cases/dunning.js';

/** The Step Functions task of the dunning ladder: the event is the task's Payload. */
export function dunningHandler(deps: Deps) {
  return middy<unknown, DunningStep>().handler(async (event) => {
    const result = await dunningStep(deps, event);
    console.info(JSON.stringify({ level: 'info', msg: 'dunning step', event, result }));
    return result;
  });
}
