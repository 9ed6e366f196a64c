// Serves a checkpoint as an OpenAI-compatible completions endpoint with the built-in runner:
//   node services/evaluation/dist/serve-openai.js <checkpoint dir> [--port 8000] [--name NAME]
import { parseArgs } from 'node:util';
import { basename } from 'node:path';
import { createLogger, onShutdown } from '@grokwatch/service-kit';
import { OnnxLanguageModel } from './backends/onnx-model.js';
import { startOpenAiServer } from './openai/server.js';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { port: { type: 'string', default: '8000' }, host: { type: 'string', default: '127.0.0.1' }, name: { type: 'string' } },
  });
  const dir = positionals[0];
  if (!dir) throw new Error('usage: serve-openai <checkpoint dir> [--port 8000] [--host 127.0.0.1] [--name NAME]');
  const logger = createLogger('serve-openai');
  const model = await OnnxLanguageModel.open(dir);
  const server = await startOpenAiServer({
    model,
    modelName: values.name ?? basename(dir),
    port: Number(values.port),
    host: values.host,
    onError: (status, message) => logger.warn({ status }, message),
  });
  console.log(`serving ${dir} (${model.provider}) at ${server.baseUrl}`);
  onShutdown(logger, [() => server.stop(), () => model.close()]);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
