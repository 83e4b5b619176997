import middy from '@middy/core';
import type { Deps } from '../../shared/deps.js';
import { handleTimer, type TimerOutcome } from '../../shared/use-cases/timers.js';

/** The EventBridge Scheduler target: each schedule delivers its timer payload as the event. */
export function timerHandler(deps: Deps) {
  return middy<unknown, TimerOutcome>().handler(async (event) => {
    const result = await handleTimer(deps, event);
    console.info(JSON.stringify({ level: 'info', msg: 'timer', event, result }));
    return result;
  });
}
