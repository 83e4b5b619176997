import { defineModelSuite } from '../support/model/suite.js';

/** Model-based test, part 2 of 3 (100 sequences each; together the 300 of `npm test`). */
defineModelSuite({ seed: 20272, runs: 100, start: '2028-02-10T12:00:00Z' });
