// A thin, typed builder over onnx-proto: values are named strings, every node gets a unique
// output name under the current scope, small constants are deduplicated, large weights are
// external-data initializers pointing into the checkpoint's safetensors files.

import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type NodeProto = onnxProto.onnx.INodeProto;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;

/** ONNX TensorProto.DataType codes used here. */
export const DataType = {
  FLOAT: 1,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  BFLOAT16: 16,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** A dimension: fixed size or a symbolic name. */
export type Dim = number | string;

export type AttrValue =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly ints: readonly number[] }
  | { readonly string: string }
  | { readonly tensor: TensorProto };

export const int = (v: number): AttrValue => ({ int: v });
export const float = (v: number): AttrValue => ({ float: v });
export const ints = (v: readonly number[]): AttrValue => ({ ints: v });

export interface ExternalTensor {
  readonly name: string;
  readonly dataType: DataTypeCode;
  readonly dims: readonly number[];
  /** Path relative to the folder the session resolves external data against. */
  readonly location: string;
  readonly offset: number;
  readonly length: number;
}

/** The ONNX opset every graph here is written against (Reduce* take axes as an input). */
export const OPSET = 18;

export class OnnxGraph {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly constants = new Map<string, string>();
  private scopeStack: string[] = [];
  private counter = 0;

  constructor(readonly name: string) {}

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Runs `fn` with value names prefixed by `scope` (nested scopes join with "/"). */
  scope<T>(scope: string, fn: () => T): T {
    this.scopeStack.push(scope);
    try {
      return fn();
    } finally {
      this.scopeStack.pop();
    }
  }

  input(name: string, dataType: DataTypeCode, dims: readonly Dim[]): string {
    this.claim(name);
    this.inputs.push(valueInfo(name, dataType, dims));
    return name;
  }

  /** Declares `value` a graph output named `name` (an Identity is inserted when the names differ). */
  output(name: string, value: string, dataType: DataTypeCode, dims: readonly Dim[]): void {
    if (value !== name) {
      this.claim(name);
      this.nodes.push({ opType: 'Identity', input: [value], output: [name], name: `${name}/Identity` });
    }
    this.outputs.push(valueInfo(name, dataType, dims));
  }

  /** Adds a node; returns its output names. */
  op(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}, outputCount = 1): string[] {
    const base = this.fresh(opType);
    const outputs = outputCount === 1 ? [base] : Array.from({ length: outputCount }, (_, i) => `${base}:${i}`);
    for (const o of outputs) this.names.add(o);
    this.nodes.push({
      opType,
      name: base,
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outputs;
  }

  /** Adds a single-output node; returns the output name. */
  op1(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}): string {
    return this.op(opType, inputs, attrs, 1)[0];
  }

  constI64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(DataType.INT64, values, dims);
  }

  constF32(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(DataType.FLOAT, values, dims);
  }

  /** Scalar (rank-0) constants, for broadcasting arithmetic. */
  scalarF32(value: number): string {
    return this.constant(DataType.FLOAT, [value], []);
  }

  scalarI64(value: number): string {
    return this.constant(DataType.INT64, [value], []);
  }

  /** An initializer whose bytes stay in an external file (e.g. a safetensors shard). */
  external(t: ExternalTensor): string {
    this.claim(t.name);
    this.initializers.push({
      name: t.name,
      dataType: t.dataType,
      dims: [...t.dims],
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: t.location },
        { key: 'offset', value: String(t.offset) },
        { key: 'length', value: String(t.length) },
      ],
    });
    return t.name;
  }

  /** An initializer stored inside the model (small float32 tensors only). */
  embeddedF32(name: string, values: Float32Array, dims: readonly number[]): string {
    this.claim(name);
    this.initializers.push({
      name,
      dataType: DataType.FLOAT,
      dims: [...dims],
      rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)),
    });
    return name;
  }

  toBytes(producer: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: producer,
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private constant(dataType: DataTypeCode, values: readonly number[], dims: readonly number[]): string {
    const key = `${dataType}|${dims.join(',')}|${values.join(',')}`;
    const existing = this.constants.get(key);
    if (existing !== undefined) return existing;
    const name = `const_${this.constants.size}`;
    this.claim(name);
    const raw = dataType === DataType.INT64 ? new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer) : new Uint8Array(Float32Array.from(values).buffer);
    this.initializers.push({ name, dataType, dims: [...dims], rawData: raw });
    this.constants.set(key, name);
    return name;
  }

  private fresh(opType: string): string {
    const prefix = this.scopeStack.length === 0 ? '' : `${this.scopeStack.join('/')}/`;
    return `${prefix}${opType}_${this.counter++}`;
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`ONNX graph ${this.name}: value name "${name}" used twice`);
    this.names.add(name);
  }
}

function valueInfo(name: string, dataType: DataTypeCode, dims: readonly Dim[]): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: dataType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttrValue): AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('int' in v) return { name, type: T.INT, i: v.int };
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  if ('ints' in v) return { name, type: T.INTS, ints: [...v.ints] };
  if ('string' in v) return { name, type: T.STRING, s: new TextEncoder().encode(v.string) };
  return { name, type: T.TENSOR, t: v.tensor };
}
