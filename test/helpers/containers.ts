import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

// How the Dockerfile, docker-compose.yml and the Kubernetes manifests start containers, by their rules.

/** The parts of a Dockerfile's final stage that decide how its container starts. */
export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  /** The HEALTHCHECK's CMD (exec form), if any. */
  healthcheck: string[] | undefined;
}

/** One service of a compose file, as far as these tests read it. */
export interface ComposeService {
  image?: string;
  build?: unknown;
  entrypoint?: string[] | string;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean> | string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
  ports?: string[];
  read_only?: boolean;
}

/**
 * Reads what a Dockerfile's final stage runs with: ENTRYPOINT, CMD, ENV and HEALTHCHECK in exec
 * (JSON) form, including what it inherits from the stages it is built `FROM`.
 */
export function readDockerfile(path: string): ImageConfig {
  // Continuation lines joined, comments dropped, then cut into stages at each FROM.
  const lines = readFileSync(path, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: { base: string; name: string | undefined; lines: string[] }[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) stages.push({ base: from[1]!, name: from[2], lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  const image: ImageConfig = { entrypoint: [], cmd: [], env: {}, healthcheck: undefined };
  const execForm = (rest: string, what: string): string[] => {
    const parsed: unknown = JSON.parse(rest);
    if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string'))
      throw new Error(`${what} is not in exec form: ${rest}`);
    return parsed;
  };
  const apply = (stage: (typeof stages)[number]): void => {
    const parent = stages.find((s) => s.name === stage.base && s !== stage);
    if (parent) apply(parent);
    for (const line of stage.lines) {
      const [, instruction = '', rest = ''] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
      switch (instruction.toUpperCase()) {
        case 'ENTRYPOINT':
          image.entrypoint = execForm(rest, 'ENTRYPOINT');
          image.cmd = []; // Docker resets CMD when a later ENTRYPOINT is set.
          break;
        case 'CMD':
          image.cmd = execForm(rest, 'CMD');
          break;
        case 'ENV':
          for (const m of rest.matchAll(/(\w+)=("[^"]*"|\S+)/g)) image.env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
          break;
        case 'HEALTHCHECK': {
          const cmd = /\bCMD\s+(\[.*\])$/.exec(rest);
          if (!cmd) throw new Error(`HEALTHCHECK is not in exec form: ${rest}`);
          image.healthcheck = execForm(cmd[1]!, 'HEALTHCHECK');
          break;
        }
      }
    }
  };
  const last = stages.at(-1);
  if (last) apply(last);
  return image;
}

/** Parses a compose file, with YAML merge keys (`<<: *anchor`) resolved as compose resolves them. */
export function readCompose(path: string): Record<string, ComposeService> {
  const doc = parse(readFileSync(path, 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
  return doc.services;
}

/** Compose's interpolation for files that use none but `$$` (a literal `$`); any other `$` is refused. */
export function interpolate(value: string): string {
  const unescaped = value.replace(/\$\$/g, '\u0000');
  if (unescaped.includes('$')) throw new Error(`the test does not interpolate variables: ${value}`);
  return unescaped.replaceAll('\u0000', '$');
}

function list(value: string[] | string | undefined, what: string): string[] | undefined {
  if (typeof value === 'string') throw new Error(`${what} should be a list (exec form), not the string ${value}`);
  return value?.map(interpolate);
}

/**
 * The argv a service's container runs, by compose's rules: an `entrypoint` in the service replaces the
 * image's ENTRYPOINT and drops its CMD; `command` replaces CMD; the container runs entrypoint + command.
 */
export function effectiveCommand(service: ComposeService, image: ImageConfig): string[] {
  const entrypoint = list(service.entrypoint, 'entrypoint');
  const command = list(service.command, 'command');
  if (entrypoint !== undefined) return [...entrypoint, ...(command ?? [])];
  return [...image.entrypoint, ...(command ?? image.cmd)];
}

/** The container's environment: the image's ENV overridden by the service's `environment`. */
export function effectiveEnv(service: ComposeService, image: ImageConfig): Record<string, string> {
  const env: Record<string, string> = { ...image.env };
  const entries = Array.isArray(service.environment)
    ? service.environment.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as const)
    : Object.entries(service.environment ?? {});
  for (const [k, v] of entries) env[k] = interpolate(String(v));
  return env;
}

/** The services `name` waits for, with the condition of each (compose's default is service_started). */
export function dependencies(service: ComposeService): [string, string][] {
  const deps = service.depends_on ?? [];
  return Array.isArray(deps)
    ? deps.map((d) => [d, 'service_started'])
    : Object.entries(deps).map(([d, c]) => [d, c.condition ?? 'service_started']);
}

/** The services in an order compose may start them: each after everything it depends on. */
export function startOrder(services: Record<string, ComposeService>): string[] {
  const order: string[] = [];
  const visit = (name: string, path: string[]): void => {
    if (order.includes(name)) return;
    if (path.includes(name)) throw new Error(`dependency cycle: ${[...path, name].join(' -> ')}`);
    const service = services[name];
    if (!service) throw new Error(`${path.at(-1) ?? 'compose'} depends on an unknown service ${name}`);
    for (const [dep] of dependencies(service)) visit(dep, [...path, name]);
    order.push(name);
  };
  for (const name of Object.keys(services)) visit(name, []);
  return order;
}

/** A Kubernetes container, as far as these tests read it. */
export interface PodContainer {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

/**
 * The argv a Kubernetes container runs: `command` replaces the image's ENTRYPOINT (and drops its CMD),
 * `args` replaces CMD.
 */
export function containerCommand(container: PodContainer, image: ImageConfig): string[] {
  if (container.command !== undefined) return [...container.command, ...(container.args ?? [])];
  return [...image.entrypoint, ...(container.args ?? image.cmd)];
}

/** The container's environment: the image's ENV overridden by the container's `env` values. */
export function containerEnv(container: PodContainer, image: ImageConfig): Record<string, string> {
  return { ...image.env, ...Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? ''])) };
}
