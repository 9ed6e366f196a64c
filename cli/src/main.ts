// grokwatch: the platform on the command line, over its GraphQL API.
import { ApiError, GrokwatchClient } from './client.js';
import { UsageError, type CommandContext } from './commands/context.js';
import { captureCommand, evaluateCommand } from './commands/jobs.js';
import { correlateCommand, exportCommand, metricsCancelCommand, metricsCommand, metricsRequestCommand } from './commands/metrics.js';
import { checkpointRegisterCommand, probesAddCommand, probesDeleteCommand, runConfigureCommand, runCreateCommand, runDeleteCommand, runsCommand } from './commands/runs.js';
import { USAGE } from './usage.js';
import { groupsCommand } from './commands/groups.js';
import { healthCommand } from './commands/health.js';

const COMMANDS: Record<string, (ctx: CommandContext) => Promise<void>> = {
  runs: runsCommand,
  'run create': runCreateCommand,
  'run configure': runConfigureCommand,
  'run delete': runDeleteCommand,
  'checkpoint register': checkpointRegisterCommand,
  'probes add': probesAddCommand,
  'probes delete': probesDeleteCommand,
  capture: captureCommand,
  eval: evaluateCommand,
  metrics: metricsCommand,
  'metrics request': metricsRequestCommand,
  'metrics cancel': metricsCancelCommand,
  correlate: correlateCommand,
  export: exportCommand,
  groups: groupsCommand,
  health: healthCommand,
};

const HELP = `grokwatch: watch a MoE pretraining run go from memorization to generalization

usage: grokwatch [--url URL] [--api-key KEY] [--json] <command> [options]

${Object.values(USAGE)
  .map((u) => `  ${u}`)
  .join('\n')}

RUN is a run's name or id. --url defaults to $GROKWATCH_URL or http://localhost:4000/graphql;
--api-key to $GROKWATCH_API_KEY. --json prints machine-readable output on stdout.
grokwatch <command> --help prints one command's options.`;

/** Splits global options from the command and its arguments. */
export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): { url: string; apiKey?: string; json: boolean; command: string | null; args: string[] } {
  let url = env.GROKWATCH_URL ?? 'http://localhost:4000/graphql';
  let apiKey = env.GROKWATCH_API_KEY;
  let json = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--url') url = argv[++i] ?? url;
    else if (a === '--api-key') apiKey = argv[++i];
    else if (a === '--json') json = true;
    else rest.push(a);
  }
  const two = rest.slice(0, 2).join(' ');
  if (COMMANDS[two]) return { url, apiKey, json, command: two, args: rest.slice(2) };
  if (rest[0] && COMMANDS[rest[0]]) return { url, apiKey, json, command: rest[0], args: rest.slice(1) };
  return { url, apiKey, json, command: null, args: rest };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const cli = parseCommandLine(argv, env);
  if (cli.command === null) {
    const asked = cli.args.length === 0 || cli.args[0] === 'help' || cli.args[0] === '--help';
    (asked ? console.log : console.error)(asked ? HELP : `unknown command: ${cli.args.join(' ')}\n\n${HELP}`);
    return asked ? 0 : 2;
  }
  if (cli.args.includes('--help') || cli.args.includes('-h')) {
    console.log(`usage: grokwatch ${USAGE[cli.command] ?? cli.command}`);
    return 0;
  }
  const ctx: CommandContext = {
    client: new GrokwatchClient({ url: cli.url, apiKey: cli.apiKey }),
    json: cli.json,
    args: cli.args,
    out: (text) => console.log(text),
  };
  try {
    await COMMANDS[cli.command]!(ctx);
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      return 2;
    }
    if (err instanceof ApiError || (err instanceof Error && err.name === 'TypeError' && /parseArgs|option/i.test(err.message))) {
      console.error(`error: ${err.message}`);
      return 1;
    }
    const message = err instanceof Error ? err.message : String(err);
    console.error(`error: ${message}`);
    return 1;
  }
}
