import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';
import { parseServeConfig } from '../../src/config.js';
import { post, startRokv } from '../helpers/binary.js';
import { containerCommand, containerEnv, readDockerfile, type PodContainer } from '../helpers/containers.js';
import { eventually } from '../helpers/processes.js';
import { snapshotOf } from '../helpers/snapshot.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The manifests in deploy/kubernetes, checked without a cluster: the base and each overlay rendered by
 * a real kustomize (`kubectl kustomize`; .ci/run puts a pinned kubectl from the npm registry on PATH),
 * every object validated against the Kubernetes OpenAPI schemas that the kubernetes-models package
 * ships, the settings rokv depends on checked, and the embedded overlay's containers and
 * docs/kubernetes.md's commands run against the local build.
 */
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ROOT = join(REPO, 'deploy/kubernetes');
const EXAMPLE_KEY = '1c39ae30-ec4a-4ffb-88d5-53ef7dfd26a8';
const EXAMPLE_VALUE = 'cqovg yqumexwdn ijwfwc';

type Obj = Record<string, unknown>;

const models: Record<string, new (data: never) => { validate(): void }> = {
  Deployment,
  Service,
  HorizontalPodAutoscaler,
  PodDisruptionBudget,
  PersistentVolumeClaim,
  ConfigMap,
};

const kustomize = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const skip = kustomize.status === 0 ? false : 'kubectl is not installed (.ci/run unpacks one from the npm registry)';
if (skip) console.log(`# skipping the Kubernetes manifests' tests: ${skip}`);

/** Renders a kustomization with kubectl's kustomize into its objects. */
function render(dir: string): Obj[] {
  const out = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(out.status, 0, `kubectl kustomize ${dir} failed:\n${out.stderr}`);
  return parseAllDocuments(out.stdout).map((d) => d.toJS() as Obj);
}

function podSpec(objects: Obj[]): Obj {
  const d = objects.find((o) => o.kind === 'Deployment')!;
  return ((d.spec as Obj).template as Obj).spec as Obj;
}

type Container = Obj & PodContainer;

function containers(objects: Obj[], which: 'containers' | 'initContainers' = 'containers'): Container[] {
  return (podSpec(objects)[which] as Container[] | undefined) ?? [];
}

function container(objects: Obj[], name = 'rokv'): Container {
  const c = containers(objects).find((x) => x.name === name);
  assert.ok(c, `no container ${name}`);
  return c;
}

/** The image the README's `docker build -t NAME .` makes (a name without a tag is `:latest`). */
function readmeImage(): string {
  const m = /docker build -t (\S+) \./.exec(readFileSync(join(REPO, 'README.md'), 'utf8'));
  assert.ok(m, 'the README builds the image with docker build -t NAME .');
  return m[1]!.includes(':') ? m[1]! : `${m[1]!}:latest`;
}

const variants = ['base', 'overlays/embedded', 'overlays/redis'];

for (const variant of variants) {
  describe(`kubernetes ${variant}`, { skip }, () => {
    const objects = skip ? [] : render(join(ROOT, variant));

    test('validates every object against the Kubernetes schema', () => {
      for (const o of objects) {
        const Model = models[o.kind as string];
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

    test('runs the image the README builds in every container, without pulling a local build', () => {
      for (const c of [...containers(objects, 'initContainers'), ...containers(objects)]) {
        assert.equal(c.image, readmeImage(), `container ${c.name}`);
        assert.equal(c.imagePullPolicy, 'IfNotPresent', `container ${c.name}`);
      }
    });

    test('probes readiness on /readyz and liveness on /healthz', () => {
      const c = container(objects);
      assert.equal(((c.readinessProbe as Obj).httpGet as Obj).path, '/readyz');
      assert.equal(((c.livenessProbe as Obj).httpGet as Obj).path, '/healthz');
    });

    test('runs every container as non-root on a read-only root filesystem with resource requests', () => {
      assert.equal((podSpec(objects).securityContext as Obj).runAsNonRoot, true);
      for (const c of [...containers(objects, 'initContainers'), ...containers(objects)]) {
        assert.equal((c.securityContext as Obj).readOnlyRootFilesystem, true, `container ${c.name}`);
        assert.ok(((c.resources as Obj).requests as Obj).cpu, `container ${c.name}`);
        assert.ok(((c.resources as Obj).requests as Obj).memory, `container ${c.name}`);
      }
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

describe('kubernetes overlays/embedded on a data root', { skip }, () => {
  const objects = skip ? [] : render(join(ROOT, 'overlays/embedded'));
  const mount = (c: PodContainer): { mountPath: string; readOnly?: boolean } => {
    const m = c.volumeMounts?.find((v) => v.name === 'data');
    assert.ok(m, `${c.name} mounts no data volume`);
    return m;
  };

  test('serves the data root read-only from a ReadWriteMany claim that only seed and admin write', () => {
    const argv = containerCommand(container(objects), readDockerfile(join(REPO, 'Dockerfile')));
    const root = argv[argv.indexOf('--data') + 1];
    assert.deepEqual(argv.slice(0, 3), ['node', 'dist/main.js', 'serve']);
    assert.deepEqual(mount(container(objects)), { name: 'data', mountPath: root, readOnly: true });
    for (const c of [container(objects, 'admin'), containers(objects, 'initContainers')[0]!]) {
      assert.equal(mount(c).mountPath, root, c.name);
      assert.notEqual(mount(c).readOnly, true, c.name);
    }
    const volume = (podSpec(objects).volumes as Obj[]).find((v) => v.name === 'data')!;
    const claim = (volume.persistentVolumeClaim as Obj).claimName;
    const pvc = objects.find((o) => o.kind === 'PersistentVolumeClaim' && (o.metadata as Obj).name === claim);
    assert.ok(pvc, `no PersistentVolumeClaim ${String(claim)}`);
    assert.deepEqual((pvc.spec as Obj).accessModes, ['ReadWriteMany']);
  });

  test("seeds an empty volume, serves it, and follows docs/kubernetes.md's publish, rollback and activate", async () => {
    const image = readDockerfile(join(REPO, 'Dockerfile'));
    const volume = await tempDir('rokv-k8s-volume-');
    const mountPath = mount(container(objects)).mountPath;
    // A container's filesystem here: the volume's mount path is the temp folder, /app is the checkout,
    // and the image's /usr/local/bin/rokv is the checkout's node_modules/.bin/rokv.
    const inPod = (arg: string): string =>
      arg.replaceAll(new RegExp(`(?<![\\w.])${mountPath}(?=/|$|\\s)`, 'g'), volume);
    const env = {
      PATH: [dirname(process.execPath), join(REPO, 'node_modules/.bin'), process.env.PATH].join(delimiter),
    };
    const run = (argv: string[]): { status: number | null; stdout: string; stderr: string } => {
      const r = spawnSync(argv[0]!, argv.slice(1).map(inPod), { cwd: REPO, env, encoding: 'utf8', timeout: 120_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };

    const seed = containers(objects, 'initContainers').find((c) => c.name === 'seed')!;
    const seeded = run(containerCommand(seed, image));
    assert.equal(seeded.status, 0, seeded.stderr);
    assert.equal(run(containerCommand(seed, image)).stderr, '', 'a second seed leaves the data root alone');

    const server = container(objects);
    const argv = containerCommand(server, image).map(inPod);
    assert.deepEqual(argv.slice(0, 3), ['node', 'dist/main.js', 'serve']);
    const { PORT: _port, HOST: _host, ...serverEnv } = containerEnv(server, image);
    // As in the pod, the server sees the volume read-only while the admin commands below write it: in a
    // mount namespace of its own where the folder is bound read-only over itself (root only).
    const ownNamespace = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;
    const readOnly = [
      'mount --make-rprivate /',
      `mount --bind -o ro "${volume}" "${volume}"`,
      `if touch "${volume}/probe" 2>/dev/null; then echo "the volume is writable" >&2; exit 97; fi`,
      'exec "$@"',
    ].join(' && ');
    const rokv = await startRokv(
      argv.slice(3),
      serverEnv,
      ownNamespace ? { wrapper: ['unshare', '-m', 'sh', '-c', readOnly, 'rokv'] } : {},
    );
    const serves = (value: string): Promise<boolean> =>
      eventually(async () => {
        const { body } = await post(`${rokv.url}/get_value`, { key: EXAMPLE_KEY });
        return (body as { value?: string }).value === value;
      }, 30_000);
    assert.ok(await serves(EXAMPLE_VALUE), 'serves the seeded example');

    // docs/kubernetes.md's `kubectl exec ... -c admin -- CMD` and `kubectl cp SRC POD:DEST` lines, in order.
    const doc = readFileSync(join(REPO, 'docs/kubernetes.md'), 'utf8');
    const steps = [...doc.matchAll(/^\s*kubectl (exec|cp) (.*)$/gm)].map(([, verb, rest]) => ({ verb, rest: rest! }));
    assert.deepEqual(
      steps.map((s) => (s.verb === 'cp' ? 'cp' : /-- (\S+ \S+)/.exec(s.rest)![1])),
      ['mkdir -p', 'cp', 'rokv publish', 'rokv versions', 'rokv rollback', 'rokv activate'],
    );
    const mine = await snapshotOf({ [EXAMPLE_KEY]: 'my data' });
    let published = '';
    const expected: Record<string, string> = { publish: 'my data', rollback: EXAMPLE_VALUE, activate: 'my data' };
    for (const { verb, rest } of steps) {
      if (verb === 'cp') {
        const [src, dest] = rest.split(' ');
        assert.equal(src, 'my.snapshot');
        await cp(mine, inPod(dest!.replace(/^"\$POD":/, '')), { recursive: true });
        continue;
      }
      assert.match(rest, / -c admin -- /, 'runs in the admin container');
      const cmd = rest
        .slice(rest.indexOf(' -- ') + 4)
        .split(' ')
        .map((a) => (a === 'ID' ? published : a));
      const result = cmd[0] === 'mkdir' ? (await mkdir(inPod(cmd[2]!), { recursive: true }), null) : run(cmd);
      if (result) assert.equal(result.status, 0, `${cmd.join(' ')}: ${result.stderr}`);
      if (cmd[1] === 'publish') published = result!.stdout.trim();
      const want = expected[cmd[1] ?? ''];
      if (want) assert.ok(await serves(want), `after ${cmd.join(' ')} the server serves ${want}`);
    }
    assert.match(published, /\S/);
  });
});

test('the redis overlay names a store URL that rokv serve accepts', { skip }, () => {
  const objects = render(join(ROOT, 'overlays/redis'));
  const cm = objects.find((o) => o.kind === 'ConfigMap')!;
  const store = (cm.data as Obj).ROKV_STORE as string;
  assert.equal(parseServeConfig({ store }).store, store);
  const refs = (container(objects).envFrom as { configMapRef: { name: string } }[]).map((e) => e.configMapRef.name);
  assert.deepEqual(refs, [(cm.metadata as Obj).name]);
});
