import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { parse } from 'yaml';
import { parseServeConfig } from '../../src/config.js';

/**
 * The manifests in deploy/kubernetes, checked without a cluster: every file parses, the base and
 * each overlay (its patches merged the way kustomize merges containers and volumes: by name) are
 * validated against the Kubernetes OpenAPI schemas that the kubernetes-models package ships, and
 * the settings rokv depends on (probes, drain time, non-root, selectors) are checked.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../deploy/kubernetes');

type Obj = Record<string, unknown>;

const models: Record<string, new (data: never) => { validate(): void }> = {
  Deployment,
  Service,
  HorizontalPodAutoscaler,
  PodDisruptionBudget,
  PersistentVolumeClaim,
};

function readYaml(file: string): Obj {
  return parse(readFileSync(file, 'utf8')) as Obj;
}

/** Merges `patch` into `base` like a strategic merge patch: objects deep, lists of named items by name. */
function merge(base: unknown, patch: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(patch)) {
    const named = (x: unknown): x is { name: string } => typeof (x as { name?: unknown })?.name === 'string';
    if (!base.every(named) || !patch.every(named)) return patch;
    const out: unknown[] = [...base];
    for (const item of patch as { name: string }[]) {
      const i = out.findIndex((b) => (b as { name: string }).name === item.name);
      if (i >= 0) out[i] = merge(out[i], item);
      else out.push(item);
    }
    return out;
  }
  if (
    typeof base === 'object' &&
    base !== null &&
    typeof patch === 'object' &&
    patch !== null &&
    !Array.isArray(patch)
  ) {
    const out: Obj = { ...(base as Obj) };
    for (const [k, v] of Object.entries(patch as Obj)) out[k] = k in out ? merge(out[k], v) : v;
    return out;
  }
  return patch;
}

/** Renders a kustomization: its resources (recursively) with its patches applied. */
function render(dir: string): Obj[] {
  const k = readYaml(join(dir, 'kustomization.yaml'));
  assert.equal(k.kind, 'Kustomization', dir);
  let objects: Obj[] = [];
  for (const r of (k.resources as string[]) ?? []) {
    const path = join(dir, r);
    assert.ok(existsSync(path), `${dir} lists a missing resource ${r}`);
    objects = objects.concat(existsSync(join(path, 'kustomization.yaml')) ? render(path) : [readYaml(path)]);
  }
  for (const p of (k.patches as { path: string }[]) ?? []) {
    const patch = readYaml(join(dir, p.path));
    const i = objects.findIndex(
      (o) => o.kind === patch.kind && (o.metadata as Obj).name === (patch.metadata as Obj).name,
    );
    assert.ok(
      i >= 0,
      `${p.path} patches ${String(patch.kind)} ${JSON.stringify(patch.metadata)}, which is not a resource`,
    );
    objects[i] = merge(objects[i], patch) as Obj;
  }
  for (const g of (k.configMapGenerator as { name: string; literals: string[] }[]) ?? []) {
    const data = Object.fromEntries(g.literals.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.name }, data });
  }
  return objects;
}

function podSpec(objects: Obj[]): Obj {
  const d = objects.find((o) => o.kind === 'Deployment')!;
  return ((d.spec as Obj).template as Obj).spec as Obj;
}

function container(objects: Obj[]): Obj {
  return (podSpec(objects).containers as Obj[]).find((c) => c.name === 'rokv')!;
}

const variants = ['base', 'overlays/embedded', 'overlays/redis'];

for (const variant of variants) {
  describe(`kubernetes ${variant}`, () => {
    const objects = render(join(ROOT, variant));

    test('validates every object against the Kubernetes schema', () => {
      for (const o of objects) {
        const Model = models[o.kind as string];
        if (o.kind === 'ConfigMap') continue;
        assert.ok(Model, `no schema check for kind ${String(o.kind)}`);
        new Model(o as never).validate();
      }
      assert.deepEqual(
        ['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service'].filter(
          (k) => !objects.some((o) => o.kind === k),
        ),
        [],
      );
    });

    test('probes readiness on /readyz and liveness on /healthz', () => {
      const c = container(objects);
      assert.equal(((c.readinessProbe as Obj).httpGet as Obj).path, '/readyz');
      assert.equal(((c.livenessProbe as Obj).httpGet as Obj).path, '/healthz');
    });

    test('runs as non-root on a read-only root filesystem with resource requests', () => {
      const c = container(objects);
      assert.equal((podSpec(objects).securityContext as Obj).runAsNonRoot, true);
      assert.equal((c.securityContext as Obj).readOnlyRootFilesystem, true);
      assert.ok(((c.resources as Obj).requests as Obj).cpu);
      assert.ok(((c.resources as Obj).requests as Obj).memory);
    });

    test("gives the pod longer to stop than the preStop delay plus rokv's drain", () => {
      const preStop = Number(
        (((container(objects).lifecycle as Obj).preStop as Obj).exec as { command: string[] }).command[1],
      );
      const drain = parseServeConfig({}).shutdownTimeoutMs / 1000;
      assert.ok((podSpec(objects).terminationGracePeriodSeconds as number) > preStop + drain);
    });

    test('selects the pods from the Service, the PodDisruptionBudget and the autoscaler', () => {
      const labels = (((objects.find((o) => o.kind === 'Deployment')!.spec as Obj).template as Obj).metadata as Obj)
        .labels as Obj;
      const svc = objects.find((o) => o.kind === 'Service')!;
      for (const [k, v] of Object.entries((svc.spec as Obj).selector as Obj)) assert.equal(labels[k], v);
      const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget')!;
      for (const [k, v] of Object.entries(((pdb.spec as Obj).selector as Obj).matchLabels as Obj))
        assert.equal(labels[k], v);
      const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!;
      assert.equal(((hpa.spec as Obj).scaleTargetRef as Obj).name, 'rokv');
    });
  });
}

test('the embedded overlay serves the snapshot the init container copied and verified', () => {
  const objects = render(join(ROOT, 'overlays/embedded'));
  const spec = podSpec(objects);
  const env = container(objects).env as { name: string; value: string }[];
  const data = env.find((e) => e.name === 'ROKV_DATA')!.value;
  const init = (spec.initContainers as Obj[])[0]!;
  assert.match((init.args as string[]).join(' '), new RegExp(`verify ${data}`));
  const mounts = (container(objects).volumeMounts as { mountPath: string }[]).map((m) => m.mountPath);
  assert.ok(
    mounts.some((m) => data.startsWith(m)),
    `${data} is on no mounted volume`,
  );
});

test('the redis overlay names a store URL that rokv serve accepts', () => {
  const objects = render(join(ROOT, 'overlays/redis'));
  const cm = objects.find((o) => o.kind === 'ConfigMap')!;
  const store = (cm.data as Obj).ROKV_STORE as string;
  assert.equal(parseServeConfig({ store }).store, store);
  const refs = (container(objects).envFrom as { configMapRef: { name: string } }[]).map((e) => e.configMapRef.name);
  assert.deepEqual(refs, [(cm.metadata as Obj).name]);
});
