import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startRokv } from '../helpers/binary.js';

// What a new user does first: `npm start` (rokv serve on the bundled example), then the README's
// examples, verbatim but for the address. A line whose comment says `(needs ...)` needs another setup
// (a data root, a second server) and is skipped; `<etag from above>` is the ETag the line before got.
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const STATUS_MARK = 'rokv-readme-status:';
const run = promisify(execFile);
/** An answer (or a batch element) saying a key is not in the data set. */
const MISSING = /"code":"KEY_NOT_FOUND"/;

/** A command line of the README: its text (continuations joined), the status its comment expects, why it is skipped. */
interface CurlLine {
  command: string;
  status: number;
  needs: string | undefined;
}

/** Every `curl` command line in the README's shell blocks, in order. */
function curlLines(markdown: string): CurlLine[] {
  const lines: CurlLine[] = [];
  for (const [, block] of markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    for (const line of block!.replace(/\\\n\s*/g, ' ').split('\n')) {
      if (!line.startsWith('curl ')) continue;
      // A comment starts at whitespace + # outside the quoted JSON: the README's comments hold no quote.
      const comment = /\s+#([^'"]*)$/.exec(line);
      const text = comment ? line.slice(0, comment.index) : line;
      lines.push({
        command: text.trim(),
        status: Number(/^\s*(\d{3})\b/.exec(comment?.[1] ?? '')?.[1] ?? 200),
        needs: /\(needs ([^)]+)\)/.exec(comment?.[1] ?? '')?.[1],
      });
    }
  }
  return lines;
}

/** Runs one curl command line against `base` (for localhost:8080) and returns its output and status. */
async function curl(command: string, base: string): Promise<{ out: string; status: number }> {
  const line = command.replaceAll(/(?:http:\/\/)?localhost:8080/g, base);
  const { stdout } = await run('sh', ['-c', `${line} --max-time 30 -w '\\n${STATUS_MARK}%{http_code}'`], {
    timeout: 60_000,
  });
  const at = stdout.lastIndexOf(`\n${STATUS_MARK}`);
  return { out: stdout.slice(0, at), status: Number(stdout.slice(at + STATUS_MARK.length + 1)) };
}

// Killed by the helper when the file ends.
const base = (await startRokv([])).url;

describe("the README's examples against the bundled example data", () => {
  const lines = curlLines(README);

  test('there are curl lines to run, and every route the API documents has one', () => {
    assert.ok(lines.length >= 10, `found ${lines.length}`);
    for (const path of ['/get_value', '/get_values', '/values/', '/dataset', '/healthz', '/readyz', '/metrics']) {
      assert.ok(
        lines.some((l) => l.needs === undefined && l.command.includes(`localhost:8080${path}`)),
        `${path} has a runnable line`,
      );
    }
  });

  test('every curl line answers what its comment says (200 unless stated), and no example key is missing', async (t) => {
    let etag: string | undefined;
    for (const { command, status, needs } of lines) {
      if (needs !== undefined) {
        t.diagnostic(`skipped (needs ${needs}): ${command}`);
        continue;
      }
      const filled = command.replace('<etag from above>', () => {
        assert.ok(etag, `${command}: no line before it answered an ETag`);
        return etag;
      });
      const res = await curl(filled, base);
      assert.equal(res.status, status, `${command}\n${res.out}`);
      assert.doesNotMatch(res.out, MISSING, `${command} asked for a key the example data lacks`);
      etag = /^etag: (.+?)\r?$/im.exec(res.out)?.[1] ?? etag;
    }
  });

  test('the quick start prints the value the README says', async () => {
    const [, command, printed] = /^(curl [^\n]+)\n```\n\nwhich prints `([^`]+)`/m.exec(README) ?? [];
    assert.ok(command && printed, 'the quick start has a curl line and what it prints');
    assert.equal((await curl(command, base)).out, printed);
  });
});

describe('what the server itself tells a new user', () => {
  test('the start line names the bound address and the /docs URL', async () => {
    // Asked for "localhost", the log names what the socket is bound to, not the name.
    const named = await startRokv(['--host', 'localhost', '--workers', '1']);
    try {
      assert.match(named.url, /^http:\/\/(127\.0\.0\.1|\[::1\]):\d+$/);
      assert.ok(named.logs().includes(`API docs at ${named.url}/docs`), named.logs());
      assert.equal((await fetch(`${named.url}/docs`, { signal: AbortSignal.timeout(10_000) })).status, 200);
    } finally {
      await named.stop();
    }
  });

  test('GET / answers 404 pointing at /docs', async () => {
    const res = await fetch(`${base}/`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 404);
    const body = (await res.json()) as { message: string; code: string };
    assert.equal(body.code, 'ROUTE_NOT_FOUND');
    assert.match(body.message, /every route is described at \/docs/);
  });
});

describe('the OpenAPI document\'s examples (Swagger UI\'s "Try it out")', () => {
  interface Operation {
    description?: string;
    // @fastify/swagger writes a schema's `examples` as OpenAPI 3.0's `example` beside it.
    parameters?: { in: string; name: string; example?: unknown }[];
    requestBody?: { content: Record<string, { example?: unknown }> };
  }

  test('every curl example and every request example answers 200 with the example data', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    let tried = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const [command] of (op.description ?? '').matchAll(/curl [^\n]+/g)) {
          const res = await curl(command, base);
          assert.equal(res.status, 200, `${method} ${path}: ${command}\n${res.out}`);
          assert.doesNotMatch(res.out, MISSING, command);
          tried++;
        }
        const body = op.requestBody?.content['application/json'];
        if (body !== undefined) {
          const { example } = body;
          assert.notEqual(example, undefined, `${method} ${path} shows an example body`);
          const res = await fetch(`${base}${path}`, {
            method: method.toUpperCase(),
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(example),
            signal: AbortSignal.timeout(10_000),
          });
          const text = await res.text();
          assert.equal(res.status, 200, `${method} ${path} with ${JSON.stringify(example)}: ${text}`);
          assert.doesNotMatch(text, MISSING);
          tried++;
        }
        for (const p of op.parameters?.filter((q) => q.in === 'path') ?? []) {
          assert.equal(typeof p.example, 'string', `${method} ${path} shows an example ${p.name}`);
          const url = `${base}${path.replace(`{${p.name}}`, p.example as string)}`;
          const res = await fetch(url, { method: method.toUpperCase(), signal: AbortSignal.timeout(10_000) });
          assert.equal(res.status, 200, `${method} ${url}`);
          tried++;
        }
      }
    }
    assert.ok(tried >= 11, `tried ${tried} examples`);
  });
});
