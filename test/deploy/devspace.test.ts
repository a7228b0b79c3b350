import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

/**
 * devspace.yaml against what it names. No JSON schema of DevSpace's config is published on the npm
 * registry, so this checks the references a schema could not: the Dockerfile and its stage, the
 * kustomization it deploys (rendered by kubectl's kustomize), the pod and container it selects, the
 * folder it syncs, the port it forwards and the fields its patches remove.
 */
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface DevspaceConfig {
  version: string;
  images: Record<string, { image: string; dockerfile: string; target?: string }>;
  deployments: Record<string, { kubectl: { kustomize: boolean; manifests: string[] } }>;
  dev: Record<
    string,
    {
      labelSelector: Record<string, string>;
      container: string;
      devImage: string;
      command: string[];
      sync: { path: string; onUpload?: { restartContainer?: boolean } }[];
      ports: { port: string }[];
      patches: { op: string; path: string }[];
    }
  >;
}

type Obj = Record<string, unknown>;

const config = parse(readFileSync(join(REPO, 'devspace.yaml'), 'utf8')) as DevspaceConfig;
const hasKubectl = spawnSync('kubectl', ['version', '--client']).status === 0;
const skip = hasKubectl ? false : 'kubectl is not installed (.ci/run unpacks one from the npm registry)';

describe('devspace.yaml', () => {
  test('builds images from the Dockerfile, the dev one from a stage it has', () => {
    assert.equal(config.version, 'v2beta1');
    for (const [name, image] of Object.entries(config.images)) {
      const dockerfile = readFileSync(join(REPO, image.dockerfile), 'utf8');
      if (image.target) assert.match(dockerfile, new RegExp(`^FROM \\S+ AS ${image.target}$`, 'm'), name);
    }
    const dev = Object.values(config.dev)[0]!;
    const devImage = /^\$\{runtime\.images\.([\w-]+)\.image\}:\$\{runtime\.images\.\1\.tag\}$/.exec(dev.devImage);
    assert.ok(devImage && config.images[devImage[1]!]?.target, `devImage ${dev.devImage} is a built stage`);
  });

  test('syncs src into the dev stage and restarts the command that compiles and serves it', () => {
    const dev = Object.values(config.dev)[0]!;
    const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
    const stage = dockerfile.slice(dockerfile.search(/^FROM \S+ AS dev$/m));
    const workdir = /^WORKDIR (\S+)$/m.exec(stage)![1]!;
    for (const s of dev.sync) {
      const [local, remote] = s.path.split(':');
      assert.ok(existsSync(join(REPO, local!)), `${local} exists`);
      assert.equal(remote, join(workdir, local!), 'synced to the same place in the image');
      assert.equal(s.onUpload?.restartContainer, true);
    }
    const script = dev.command.at(-1)!;
    const build = /npm run (?:--silent )?(\S+)/.exec(script)![1]!;
    const scripts = (
      JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    assert.match(scripts[build]!, /tsc -p tsconfig\.build\.json/);
    const include = (JSON.parse(readFileSync(join(REPO, 'tsconfig.build.json'), 'utf8')) as { include?: string[] })
      .include;
    assert.ok(
      include?.some((i) => i.startsWith('src')),
      'the build compiles src/',
    );
  });

  test('deploys a kustomization whose pod, container, port and patched fields it names', { skip }, () => {
    const deployment = Object.values(config.deployments)[0]!.kubectl;
    assert.equal(deployment.kustomize, true);
    const out = spawnSync('kubectl', ['kustomize', join(REPO, deployment.manifests[0]!)], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    const objects = parseAllDocuments(out.stdout).map((d) => d.toJS() as Obj);
    const d = objects.find((o) => o.kind === 'Deployment')!;
    const template = (d.spec as Obj).template as Obj;
    const dev = Object.values(config.dev)[0]!;
    for (const [k, v] of Object.entries(dev.labelSelector))
      assert.equal(((template.metadata as Obj).labels as Obj)[k], v, `label ${k}`);
    const containers = (template.spec as Obj).containers as Obj[];
    const c = containers.find((x) => x.name === dev.container);
    assert.ok(c, `no container ${dev.container}`);
    assert.ok(
      (c.image as string).startsWith(`${Object.values(config.images).find((i) => !i.target)!.image}:`),
      'the built image is the one deployed',
    );
    const ports = (c.ports as { containerPort: number }[]).map((p) => String(p.containerPort));
    for (const p of dev.ports) assert.ok(ports.includes(p.port.split(':').at(-1)!), `port ${p.port}`);
    assert.ok(
      (c.args as string[]).join(' ').endsWith(dev.command.at(-1)!.split('exec node dist/main.js ')[1]!),
      'the dev command serves what the Deployment serves',
    );
    for (const p of dev.patches) {
      const m = /^spec\.containers\.name=([\w-]+)\.(.+)$/.exec(p.path);
      assert.ok(m, `patch path ${p.path}`);
      const target = containers.find((x) => x.name === m[1])!;
      const value = m[2]!.split('.').reduce<unknown>((o, k) => (o as Obj | undefined)?.[k], target);
      assert.notEqual(value, undefined, `${p.op} ${p.path}: nothing there`);
    }
  });
});
