// The validation harness on runs whose answer is known: every bundled run and a run trained for a
// few dozen steps only. The detector must fire in each domain of the signature run that
// generalizes, at or before test accuracy reaches 90%; never in a domain that does not generalize;
// never in the untrained run. The drift run (models/grokking-moe) is judged too: it must raise no
// false alert, and its README says why it raises no true one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bundledRuns, formatValidation, validateRun, type RunValidation } from '@grokwatch/gateway';

const ROOT = join(import.meta.dirname, '..', '..');
/** Runs whose pathway signature is the paper's: every domain that generalizes must be alerted in time. */
const SIGNATURE_RUNS = new Set(['grokking-clean']);

describe('validation harness (npm run validate)', () => {
  let untrainedDir: string;
  const results: RunValidation[] = [];

  before(async () => {
    untrainedDir = await mkdtemp(join(tmpdir(), 'gw-untrained-'));
    // 30 steps of the default recipe: test accuracy stays near chance.
    const res = spawnSync('/usr/bin/python3', ['trainer/train.py', '--out', join(untrainedDir, 'untrained'), '--steps', '30', '--no-plot'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 600_000,
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
    });
    assert.equal(res.status, 0, res.stderr.slice(-2000));
  });
  after(async () => {
    if (untrainedDir) await rm(untrainedDir, { recursive: true, force: true });
  });

  test('an untrained run raises no alert', async (t) => {
    const r = await validateRun(join(untrainedDir, 'untrained'));
    results.push(r);
    t.diagnostic(formatValidation([r]));
    assert.equal(r.failedJobs, 0);
    for (const d of r.domains) assert.deepEqual([d.domain, d.verdict, d.alert], [d.domain, 'quiet', null]);
  });

  for (const dir of bundledRuns(join(ROOT, 'models'))) {
    test(`bundled run ${dir.split('/').pop()}: no false alert; in a signature run every generalizing domain is alerted in time`, async (t) => {
      const r = await validateRun(dir);
      results.push(r);
      t.diagnostic(formatValidation([r]));
      assert.equal(r.failedJobs, 0);
      for (const d of r.domains) {
        assert.notEqual(d.verdict, 'false alert', `${r.run}/${d.domain}: alert ${JSON.stringify(d.alert)} in a domain that never reached 90%`);
        if (SIGNATURE_RUNS.has(r.run) && d.generalizedStep !== null) assert.equal(d.verdict, 'hit', `${r.run}/${d.domain}: ${JSON.stringify(d)}`);
      }
    });
  }
});
