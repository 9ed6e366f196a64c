import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileRoots } from '@grokwatch/service-kit';
import { hyperparametersAt, readTrainerHyperparameters, TrainerStateError } from './trainer-state.js';

test('the settings in effect at a step: the last logged at or before it, each on its own', () => {
  const history = [
    { step: 10, learning_rate: 1e-4, loss: 3 },
    { step: 20, learning_rate: 2e-4, weight_decay: 0.1 },
    { step: 30, loss: 2.5 },
    { step: 40, learning_rate: 3e-4 },
    { step: 50, learning_rate: 'high' },
    null,
    { step: 45, learning_rate: -1 },
  ];
  assert.deepEqual(hyperparametersAt(history, 35), { learningRate: 2e-4, weightDecay: 0.1 });
  assert.deepEqual(hyperparametersAt(history, 100), { learningRate: 3e-4, weightDecay: 0.1 }, 'bad values are skipped');
  assert.equal(hyperparametersAt(history, 5), null, 'nothing logged yet');
});

test('trainer_state.json: absent is null; unreadable is an error that does not quote the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-trainer-state-'));
  try {
    assert.equal(await readTrainerHyperparameters(await fileRoots(undefined, [dir]), dir, 10), null);
    writeFileSync(join(dir, 'trainer_state.json'), '{"secret": "hunter2", ');
    await assert.rejects(
      readTrainerHyperparameters(await fileRoots(undefined, [dir]), dir, 10),
      (err: unknown) => err instanceof TrainerStateError && !err.message.includes('hunter2'),
    );
    writeFileSync(join(dir, 'trainer_state.json'), JSON.stringify({ global_step: 10, log_history: [{ step: 10, learning_rate: 0.001, weight_decay: 1 }] }));
    assert.deepEqual(await readTrainerHyperparameters(await fileRoots(undefined, [dir]), dir, 10), { learningRate: 0.001, weightDecay: 1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
