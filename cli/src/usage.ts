// Every command's synopsis, once: the help page lists them, `<command> --help` prints one, and a
// command given bad arguments answers with its own.
import { UsageError } from './commands/context.js';

const ROUTING = '[--scope sample|target|position] [--weights scores|selection]';

export const USAGE: Readonly<Record<string, string>> = {
  runs: 'runs',
  'run create':
    'run create <name> [--architecture OlmoeForCausalLM] [--tokenizer /path/tokenizer.json] [--watch DIR] [--probe-sets ID|NAME,..] [--tasks T,..] [--thresholds 0.7,..]',
  'run configure':
    'run configure RUN [--tokenizer /path/tokenizer.json | --no-tokenizer] [--watch DIR | --no-watch] [--probe-sets ID,..] [--tasks T,..] [--thresholds 0.7,..] [--contamination-filter | --no-contamination-filter] [--embedding-model DIR | --no-embedding-model]',
  'run delete': 'run delete RUN --yes   (the run, its checkpoints, captures, routing, metrics, alerts and evaluations)',
  'checkpoint register': 'checkpoint register --run RUN --step N --uri DIR [--tokens N]',
  'probes add': 'probes add <name> --domain D (--file samples.jsonl | --server-path /data/samples.jsonl)',
  'probes delete': 'probes delete ID|NAME --yes   (its samples, routing and the metrics computed on it; runs stop capturing it)',
  capture: 'capture --checkpoint ID --probe-set ID [--wait]',
  eval: 'eval --checkpoint ID --task TASK [--limit N] [--wait]',
  metrics: `metrics --run RUN [--domain D] [--threshold 0.7] ${ROUTING}`,
  'metrics request': `metrics request --run RUN [--domain D] [--threshold T] [--unit char|expert] [--normalized] ${ROUTING} [--pairs N --seed S | --exact]`,
  'metrics cancel': 'metrics cancel --run RUN (--all | variant options as for metrics request)',
  correlate: `correlate --run RUN [--benchmark domain=task ...] [--after-rise] [--partial] ${ROUTING}`,
  export: `export --run RUN [--format csv|json] ${ROUTING}`,
  groups: 'groups --run RUN [--domain D]   (test groups Test@t per task, training groups Pretrain@t, their pairing and lags)',
  health: 'health --run RUN [--domain D]   (dead experts, load imbalance, entropy per layer over every probe set, or one domain; collapse alerts)',
};

/** The command's synopsis as an error to throw. */
export function usageError(command: string): UsageError {
  return new UsageError(`usage: grokwatch ${USAGE[command] ?? command}`);
}
