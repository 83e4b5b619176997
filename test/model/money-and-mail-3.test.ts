import { defineModelSuite } from '../support/model/suite.js';

/** Model-based test, part 3 of 3 (100 sequences each; together the 300 of `npm test`). */
defineModelSuite({ seed: 20273, runs: 100, start: '2029-03-10T12:00:00Z' });
