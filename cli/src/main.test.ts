import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchmarkFor } from './commands/metrics.js';
import { parseCommandLine } from './main.js';
import { csv, table } from './output.js';

test('global options and two-word commands', () => {
  const cli = parseCommandLine(['--json', 'run', 'create', 'demo', '--watch', '/x', '--url', 'http://h:1/graphql'], {});
  assert.equal(cli.command, 'run create');
  assert.deepEqual(cli.args, ['demo', '--watch', '/x']);
  assert.equal(cli.url, 'http://h:1/graphql');
  assert.equal(cli.json, true);
  assert.equal(parseCommandLine(['runs'], { GROKWATCH_URL: 'http://e/graphql' }).url, 'http://e/graphql');
  assert.equal(parseCommandLine(['frobnicate'], {}).command, null);
  assert.equal(parseCommandLine(['metrics', 'request', '--run', 'r'], {}).command, 'metrics request');
  assert.equal(parseCommandLine(['metrics', '--run', 'r'], {}).command, 'metrics');
});

test('a domain pairs with the benchmark named after it unless given', () => {
  assert.equal(benchmarkFor('math', ['gsm8k', 'grok_math'], new Map()), 'grok_math');
  assert.equal(benchmarkFor('math', ['gsm8k'], new Map([['math', 'gsm8k']])), 'gsm8k');
  assert.equal(benchmarkFor('code', ['grok_math'], new Map()), undefined);
});

test('tables and CSV', () => {
  assert.equal(
    table(
      ['a', 'bb'],
      [
        [1, null],
        ['xyz', 0.5],
      ],
    ),
    'a    bb\n---  ------\n1    -\nxyz  0.5000',
  );
  assert.equal(
    csv(
      ['a', 'b'],
      [
        ['x,y', 'say "hi"'],
        [1, null],
      ],
    ),
    'a,b\n"x,y","say ""hi"""\n1,',
  );
});
