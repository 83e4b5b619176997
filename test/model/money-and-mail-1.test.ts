import { defineModelSuite } from '../support/model/suite.js';

/** Model-based test, part 1 of 3 (100 sequences each; together the 300 of `npm test`). */
defineModelSuite({ seed: 20271, runs: 100, start: '2027-01-10T12:00:00Z' });
