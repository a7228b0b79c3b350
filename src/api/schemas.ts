/**
 * JSON schemas of the HTTP API: the ones Fastify validates requests with and the ones the OpenAPI
 * document shows, in one place. Routes that validate by hand (for speed, or for byte-identical error
 * messages) document the contract their hand validation enforces; test/http/openapi.test.ts checks
 * the two agree.
 */

/**
 * Options of the Ajv instance that validates request bodies (Fastify's defaults otherwise). Fastify's
 * default coerces a lone value into an array: {"keys": "x"} must stay a 400, not a batch of one.
 */
export const AJV_OPTIONS = { coerceTypes: false } as const;

/** The pattern of a canonical UUIDv4 (either case), as uuid.ts accepts it. */
export const UUID_V4_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$';

/**
 * Two keys of the bundled example data set (data/example.json): every example the API documents
 * (OpenAPI, Swagger UI's "Try it out", the README's curl lines) answers 200 against `npm start`.
 */
export const EXAMPLE_KEYS = ['1c39ae30-ec4a-4ffb-88d5-53ef7dfd26a8', '1c022579-4e18-436e-86e4-61a543d390ed'] as const;
const [EXAMPLE_KEY] = EXAMPLE_KEYS;

/** A key as the API documents it. */
export const keySchema = {
  type: 'string',
  pattern: UUID_V4_PATTERN,
  description: 'A canonical UUIDv4: 8-4-4-4-12 hex digits with hyphens, either case.',
  examples: [EXAMPLE_KEY],
} as const;

/** An object schema: its `properties`, of which the `required` ones must be present. */
export function objectSchema(required: readonly string[], properties: Record<string, object>) {
  return { type: 'object', required, properties } as const;
}

/** A field of an answer, with its JSON type and what it means. */
const field = (type: 'string' | 'integer', description: string) => ({ type, description }) as const;

/** The body of `POST /get_value`. */
export const keyRequestSchema = {
  ...objectSchema(['key'], { key: keySchema }),
  examples: [{ key: EXAMPLE_KEY }],
} as const;

/** The body of `POST /get_values`, validated by Fastify with the configured batch limit. */
export function keysRequestSchema(maxKeys: number) {
  return {
    ...objectSchema(['keys'], {
      keys: {
        type: 'array',
        minItems: 1,
        maxItems: maxKeys,
        // Elements are not constrained here: a bad element gets its own /get_value-style error in the results.
        items: { description: 'A key; anything but a canonical UUIDv4 gets an error in its result.' },
        description: `1 to ${maxKeys} keys; repeats allowed.`,
      },
    }),
    examples: [{ keys: [...EXAMPLE_KEYS] }],
  } as const;
}

/** A found value. */
export const valueSchema = {
  ...objectSchema(['value'], { value: { type: 'string' } }),
  additionalProperties: false,
} as const;

/** Every error answer. */
export const errorSchema = objectSchema(['message'], {
  message: field('string', 'What was wrong and what is expected.'),
  code: field('string', 'A stable machine code, such as KEY_INVALID or KEY_NOT_FOUND.'),
});

/** The answer of `POST /get_values`. */
export const resultsSchema = objectSchema(['results'], {
  results: {
    type: 'array',
    description: 'One element per key, in order: exactly what POST /get_value answers for that key.',
    items: { oneOf: [valueSchema, errorSchema] },
  },
});

const datasetFields = {
  id: field('string', 'Identity of the data, derived from its content.'),
  count: field('integer', 'Number of pairs.'),
  createdAt: field('string', 'When the snapshot was built (ISO 8601).'),
  source: field('string', 'Name of the input file it was built from.'),
  formatVersion: field('integer', 'Version of the snapshot format.'),
};

/** The answer of `GET /dataset`: every field is always there. */
export const datasetSchema = objectSchema(Object.keys(datasetFields), datasetFields);

/** The answer of the probes. */
export const probeSchema = objectSchema(['status'], { status: { type: 'string' } });
