import { runtimeDeps } from '../shared/deps.js';
import { dunningHandler } from './handlers/dunning.js';

/** Lambda entry: the steps of the dunning ladder state machine. */
export const handler = dunningHandler(await runtimeDeps());
