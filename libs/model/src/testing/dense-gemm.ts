// The yardstick for capture benchmarks: the GFLOP/s onnxruntime reaches on one dense Gemm with a
// constant (prepacked) weight on this machine, measured in the same process as the capture.

import * as ort from 'onnxruntime-node';
import { DataType, OnnxGraph, int } from '../graph/onnx-graph.js';

export interface GemmRate {
  /** GFLOP per wall-clock second. */
  readonly wall: number;
  /** GFLOP per CPU-second of this process. */
  readonly cpu: number;
}

/** A session computing one [M, K] x [N, K]^T Gemm; returns a runner that measures a window of `seconds`. */
export async function denseGemm(M: number, K: number, N: number, threads?: number): Promise<(seconds: number) => Promise<GemmRate>> {
  const g = new OnnxGraph('dense');
  const a = g.input('a', DataType.FLOAT, [M, K]);
  const w = g.embeddedF32(
    'w',
    Float32Array.from({ length: N * K }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5),
    [N, K],
  );
  g.output('y', g.op1('Gemm', [a, w], { transB: int(1) }), DataType.FLOAT, [M, N]);
  const session = await ort.InferenceSession.create(g.toBytes('bench'), {
    graphOptimizationLevel: 'all',
    ...(threads === undefined ? {} : { intraOpNumThreads: threads }),
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const feed = {
    a: new ort.Tensor(
      'float32',
      Float32Array.from({ length: M * K }, (_, i) => (i % 13) / 13),
      [M, K],
    ),
  };
  await session.run(feed);
  return async (seconds) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let runs = 0;
    do {
      await session.run(feed);
      runs++;
    } while (performance.now() - t0 < seconds * 1000);
    const cpu = process.cpuUsage(cpu0);
    const gflop = (2 * M * K * N * runs) / 1e9;
    return { wall: gflop / ((performance.now() - t0) / 1000), cpu: gflop / ((cpu.user + cpu.system) / 1e6) };
  };
}
