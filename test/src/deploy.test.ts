// Deployment that builds and scales: the image's build stage works on exactly what the Dockerfile
// copies (a missing project reference once broke it), and the Kubernetes manifests validate against
// the Kubernetes and KEDA OpenAPI schemas offline (kubernetes-models) and agree with the code: every
// environment variable they set is one the code reads, Services select pods that exist, KEDA scales
// worker Deployments on the JetStream consumers the bus really creates, and every claim exists.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { BusNames, JOBS } from '@grokwatch/bus';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';

const ROOT = resolve(import.meta.dirname, '..', '..');
const K8S = join(ROOT, 'deploy', 'k8s');

test('the image build stage works on a copy holding only what the Dockerfile copies', () => {
  const dockerfile = readFileSync(join(ROOT, 'deploy', 'Dockerfile'), 'utf8');
  const buildStage = dockerfile.split(/^FROM /m)[1];
  const copied = [...buildStage.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap((m) => m[1].trim().split(/\s+/).slice(0, -1));
  const dir = mkdtempSync(join(tmpdir(), 'gw-image-'));
  try {
    for (const path of copied) {
      cpSync(join(ROOT, path), join(dir, path), { recursive: true, filter: (src) => !/\/(dist|node_modules)(\/|$)|\.tsbuildinfo$/.test(src) });
    }
    // Every npm workspace the lockfile names must be in the image, or `npm ci` fails there.
    const workspaces = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
    for (const w of workspaces) {
      const base = w.replace(/\/\*$/, '');
      assert.ok(statSync(join(dir, base), { throwIfNoEntry: false })?.isDirectory(), `workspace ${w} is not copied into the image`);
    }
    // What `npm ci` would install, then the build's project graph (a missing reference is TS5083).
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const res = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', '--dry'], { cwd: dir, encoding: 'utf8' });
    assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

type Doc = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: Record<string, unknown>; data?: Record<string, string> };

function manifests(): { file: string; doc: Doc }[] {
  const out: { file: string; doc: Doc }[] = [];
  for (const file of readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
    for (const d of parseAllDocuments(readFileSync(join(K8S, file), 'utf8'))) {
      assert.deepEqual(d.errors, [], `${file}: YAML errors`);
      out.push({ file, doc: d.toJSON() as Doc });
    }
  }
  return out;
}

const MODELS: Record<string, new (d: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

test('every manifest validates against its OpenAPI schema, and kustomize lists every file', () => {
  const docs = manifests();
  for (const { file, doc } of docs) {
    const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
    assert.ok(Model, `${file}: no schema for ${doc.apiVersion} ${doc.kind}`);
    assert.doesNotThrow(() => new Model(doc as never).validate(), `${file}: ${doc.kind} ${doc.metadata.name}`);
  }
  const kustomization = parseAllDocuments(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8'))[0].toJSON() as { resources: string[] };
  assert.deepEqual([...kustomization.resources].sort(), [...new Set(docs.map((d) => d.file))].sort());
});

test('the manifests agree with the code: env names read, selectors, claims, KEDA consumers', () => {
  const docs = manifests().map((d) => d.doc);
  const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
  type PodSpec = {
    containers: { image: string; env?: { name: string }[]; envFrom?: { configMapRef?: { name: string } }[] }[];
    volumes?: { persistentVolumeClaim?: { claimName: string } }[];
  };
  const workloads = [...byKind('Deployment'), ...byKind('StatefulSet')].map((d) => ({
    name: d.metadata.name,
    labels: (d.spec!.template as { metadata: { labels: Record<string, string> } }).metadata.labels,
    pod: (d.spec!.template as { spec: PodSpec }).spec,
  }));

  // Every variable set is read somewhere in the services or libs (a typo would silently do nothing).
  const source = ['libs', 'services']
    .flatMap((top) => readdirSync(join(ROOT, top)).map((p) => join(ROOT, top, p, 'src')))
    .flatMap((dir) => {
      try {
        return readdirSync(dir, { recursive: true }).map((f) => join(dir, String(f)));
      } catch {
        return [];
      }
    })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const configMap = byKind('ConfigMap')[0];
  const names = [
    ...Object.keys(configMap.data ?? {}),
    ...workloads.filter((w) => w.name !== 'nats').flatMap((w) => w.pod.containers.flatMap((c) => (c.env ?? []).map((e) => e.name))),
  ];
  for (const name of new Set(names)) assert.ok(new RegExp(`\\b${name}\\b`).test(source), `${name} is set but no service reads it`);

  // Images are the Dockerfile's per-service builds.
  for (const w of workloads.filter((x) => x.name !== 'nats')) {
    for (const c of w.pod.containers) {
      const service = /^grokwatch\/([a-z]+):/.exec(c.image)?.[1];
      assert.ok(service && statSync(join(ROOT, 'services', service, 'src', 'main.ts'), { throwIfNoEntry: false }), `${w.name}: image ${c.image} is no service`);
    }
  }

  // Services select pods that exist, on ports they expose; the ConfigMap's NATS URL is the NATS Service.
  for (const s of byKind('Service')) {
    const selector = (s.spec as { selector: Record<string, string> }).selector;
    assert.ok(
      workloads.some((w) => Object.entries(selector).every(([k, v]) => w.labels[k] === v)),
      `Service ${s.metadata.name} selects no pods`,
    );
  }
  assert.match(configMap.data!.NATS_URL!, /^nats:\/\/nats\.grokwatch\.svc\.cluster\.local:4222$/);
  const gateway = workloads.find((w) => w.name === 'gateway')!;
  for (const e of gateway.pod.containers[0].env as { name: string; value: string }[]) {
    const m = /^http:\/\/([a-z-]+):(\d+)\/graphql$/.exec(e.value);
    if (!m) continue;
    const svc = byKind('Service').find((x) => x.metadata.name === m[1]);
    assert.ok(svc && (svc.spec as { ports: { port: number }[] }).ports.some((p) => p.port === Number(m[2])), `${e.name} points at no Service port`);
  }

  // Claims mounted exist.
  const claims = new Set(byKind('PersistentVolumeClaim').map((c) => c.metadata.name));
  for (const w of workloads)
    for (const v of w.pod.volumes ?? [])
      if (v.persistentVolumeClaim) assert.ok(claims.has(v.persistentVolumeClaim.claimName), `${w.name}: claim ${v.persistentVolumeClaim.claimName}`);

  // KEDA scales worker Deployments on the consumers the bus creates: stream JOBS, durable "<kind>-workers".
  const scaled = byKind('ScaledObject');
  assert.deepEqual(scaled.map((s) => s.metadata.name).sort(), ['capture-workers', 'evaluation-workers']);
  for (const s of scaled) {
    const spec = s.spec as { scaleTargetRef: { name: string }; triggers: { type: string; metadata: Record<string, string> }[] };
    assert.ok(
      workloads.some((w) => w.name === spec.scaleTargetRef.name),
      `${s.metadata.name} scales no Deployment`,
    );
    const t = spec.triggers[0];
    assert.equal(t.type, 'nats-jetstream');
    assert.equal(t.metadata.stream, new BusNames('').jobsStream);
    assert.ok(
      Object.keys(JOBS)
        .map((k) => `${k}-workers`)
        .includes(t.metadata.consumer!),
      `consumer ${t.metadata.consumer}`,
    );
    assert.match(t.metadata.natsServerMonitoringEndpoint!, /^nats\.grokwatch\.svc\.cluster\.local:8222$/);
  }
});
