import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SandboxPool, SandboxUnavailableError, SandboxConfigError } from './index.js';

describe('SandboxPool', () => {
  it('never runs more programs at once than its concurrency', async () => {
    const pool = new SandboxPool({ concurrency: 2 });
    const runs = Array.from({ length: 5 }, () => pool.run('import time\ntime.sleep(0.2)\n'));
    const results = await Promise.all(runs);
    assert.ok(results.every((r) => r.passed));
    assert.equal(pool.stats.maxActive, 2);
    assert.equal(pool.stats.active, 0);
    assert.equal(pool.stats.completed, 6, '5 runs + the readiness probe');
  });

  it('rejects bad concurrency', () => {
    assert.throws(() => new SandboxPool({ concurrency: 0 }), SandboxConfigError);
  });
});

describe('SandboxPool: sandbox unavailable (never falls back to running unsandboxed)', () => {
  const cases: Array<[string, ConstructorParameters<typeof SandboxPool>[0]]> = [
    ['bwrap missing', { bwrapPath: '/nonexistent/bwrap' }],
    ['bwrap fails to set up (stand-in: /bin/false)', { bwrapPath: '/bin/false' }],
    ['python missing inside the sandbox', { pythonPath: '/usr/bin/no-such-python' }],
  ];
  if (process.getuid?.() === 0) cases.push(['setpriv missing while running as root', { setprivPath: '/nonexistent/setpriv' }]);
  for (const [label, opts] of cases) {
    it(label, async () => {
      const pool = new SandboxPool(opts);
      await assert.rejects(pool.run('print(1)'), SandboxUnavailableError);
      // Later runs fail the same way instead of trying again without isolation.
      await assert.rejects(pool.run('print(1)'), SandboxUnavailableError);
    });
  }
});
