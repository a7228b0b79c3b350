import { catalog, type ErrorCode } from '../../errors.js';
import { parseUuidInto, UUID_BYTES } from '../../uuid.js';
import { errorJson } from '../answer.js';
import { readKeyField } from '../get-value.js';

/**
 * The keys of a batch, ready to look up: the valid ones packed 16 bytes each. `slots[i]` is the
 * index of element i among the packed keys, or -1 when `errors[i]` holds its answer; without
 * `slots`, element i is packed key i (every element was valid).
 */
export interface PackedBatch {
  count: number;
  keys: Uint8Array;
  asked: number;
  slots?: Int32Array;
  errors?: Buffer[];
}

/**
 * The bytes of a catalog error's body built from its code, without constructing an Error: a batch
 * may hold a thousand bad keys, and each Error would capture a stack trace nobody reads.
 */
export function catalogJson<C extends ErrorCode>(code: C, ...args: Parameters<(typeof catalog)[C]>): Buffer {
  const make = catalog[code] as (...a: Parameters<(typeof catalog)[C]>) => { message: string };
  return Buffer.from(JSON.stringify({ message: make(...args).message, code }));
}

/** Packs the elements of a parsed `keys` array; an element that is not a valid key gets its `/get_value` error. */
export function packBatch(elements: readonly unknown[]): PackedBatch {
  const count = elements.length;
  const keys = new Uint8Array(count * UUID_BYTES);
  const slots = new Int32Array(count);
  const errors: Buffer[] = [];
  let asked = 0;
  for (let i = 0; i < count; i++) {
    const element = elements[i];
    if (typeof element === 'string' && parseUuidInto(element, keys, asked * UUID_BYTES)) {
      slots[i] = asked++;
      continue;
    }
    // readKeyField is what /get_value runs on its body, so a non-string element gets the same error.
    const key = typeof element === 'string' ? element : readKeyField({ key: element });
    slots[i] = -1;
    errors[i] = typeof key === 'string' ? catalogJson('KEY_INVALID', key) : errorJson(key);
  }
  return { count, keys, asked, slots, errors };
}
