// The shared suite (spec vectors and round trips) in Node, through the package's own name.
import { test } from 'node:test';
import * as api from 'didcomm-wasm';
import { allCases } from './suite.js';
import { fixtureFiles } from './fixtures.js';

const cases = await allCases(api, fixtureFiles());
for (const { name, fn } of cases) test(name, fn);
