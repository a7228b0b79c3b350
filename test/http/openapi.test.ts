import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { keysRequestSchema, UUID_V4_PATTERN } from '../../src/api/schemas.js';
import { isUuidV4 } from '../../src/uuid.js';
import { appOf } from '../helpers/app.js';

interface OpenApi {
  openapi: string;
  paths: Record<
    string,
    Record<string, { description?: string; requestBody?: { content: Record<string, { schema: unknown }> } }>
  >;
}

let app: FastifyInstance;
let close: () => Promise<void>;
let doc: OpenApi;
before(async () => {
  ({ app, close } = await appOf({ '8a35eb59-62b3-481c-8875-1f248df4c952': 'v' }, { batchMaxKeys: 250 }));
  doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApi>();
});
after(() => close());

const ROUTES: [string, string][] = [
  ['post', '/get_value'],
  ['post', '/get_values'],
  ['get', '/values/{key}'],
  ['get', '/dataset'],
  ['get', '/healthz'],
  ['get', '/readyz'],
  ['get', '/metrics'],
  ['get', '/openapi.json'],
];

describe('OpenAPI document', () => {
  test('is OpenAPI 3 and lists exactly the API routes, each with a curl example', () => {
    assert.match(doc.openapi, /^3\./);
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    assert.deepEqual(listed.sort(), ROUTES.map(([m, p]) => `${m} ${p}`).sort());
    for (const [method, path] of ROUTES) assert.match(doc.paths[path]![method]!.description ?? '', /curl /, path);
  });

  test('shows for POST /get_values the very schema that validates its body, limit included', () => {
    const schema = doc.paths['/get_values']!.post!.requestBody!.content['application/json']!.schema as {
      properties: { keys: { maxItems: number } };
    };
    assert.equal(schema.properties.keys.maxItems, 250);
    const { examples: _e, ...validated } = keysRequestSchema(250);
    const { example: _x, examples: _y, ...shown } = schema as unknown as Record<string, unknown>;
    assert.deepEqual(JSON.parse(JSON.stringify(shown)), JSON.parse(JSON.stringify(validated)));
  });

  const keys: [string, string][] = [
    ['a lower-case key', '8a35eb59-62b3-481c-8875-1f248df4c952'],
    ['an upper-case key', '8A35EB59-62B3-481C-8875-1F248DF4C952'],
    ['variant b', '8a35eb59-62b3-481c-b875-1f248df4c952'],
    ['version 1', '8a35eb59-62b3-181c-8875-1f248df4c952'],
    ['variant c', '8a35eb59-62b3-481c-c875-1f248df4c952'],
    ['no hyphens', '8a35eb5962b3481c88751f248df4c952'],
    ['braces', '{8a35eb59-62b3-481c-8875-1f248df4c952}'],
    ['a trailing space', '8a35eb59-62b3-481c-8875-1f248df4c952 '],
    ['a non-hex digit', '8a35eb59-62b3-481c-8875-1f248df4c95g'],
    ['the nil uuid', '00000000-0000-0000-0000-000000000000'],
  ];
  for (const [name, key] of keys) {
    test(`documents the key syntax the hand validator enforces: ${name}`, () => {
      assert.equal(new RegExp(UUID_V4_PATTERN).test(key), isUuidV4(key));
    });
  }
});

describe('GET /docs', () => {
  test('serves Swagger UI whose page loads nothing from another origin', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs' });
    const page = res.statusCode === 302 ? await app.inject({ method: 'GET', url: String(res.headers.location) }) : res;
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger-ui/i);
    const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(refs.length > 0);
    for (const ref of refs) assert.doesNotMatch(ref, /^(https?:)?\/\//, ref);
  });
});

describe('README', () => {
  test("carries every route's curl example from the OpenAPI document, verbatim", async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    for (const [method, path] of ROUTES) {
      const command = /curl [^\n]+/.exec(doc.paths[path]![method]!.description ?? '')?.[0];
      assert.ok(command !== undefined && readme.includes(`\n${command}\n`), `${method} ${path}: ${command}`);
    }
  });
});
