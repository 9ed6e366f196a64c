import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EnvError, env, parseEnv } from './env.js';

test('parseEnv applies defaults and types', () => {
  const cfg = parseEnv(
    { PORT: env.int({ default: 4000 }), NAME: env.string({ default: 'x' }), KEY: env.optionalString(), MODE: env.oneOf(['a', 'b'] as const, { default: 'a' }) },
    { PORT: '4100', KEY: '' },
  );
  assert.deepEqual(cfg, { PORT: 4100, NAME: 'x', KEY: undefined, MODE: 'a' });
});

test('parseEnv lists every bad variable at once', () => {
  assert.throws(
    () => parseEnv({ PORT: env.int({ min: 1, max: 65535 }), URL: env.string(), MODE: env.oneOf(['a', 'b'] as const) }, { PORT: '99999', MODE: 'c' }),
    (err: unknown) => {
      assert.ok(err instanceof EnvError);
      assert.equal(err.problems.length, 3);
      assert.match(err.message, /PORT=99999 is above 65535/);
      assert.match(err.message, /URL is required/);
      assert.match(err.message, /MODE=c is not one of a, b/);
      return true;
    },
  );
});
