import type { Expectation, Probe } from './keys.js';
import { isRecord, parseJsonOrUndefined } from '../json.js';

/**
 * What became of one key: a right answer (found, missing, invalid), a wrong one (the server answered
 * something a correct server would not), or an error (no answer, or the server failed: 5xx, 429).
 */
export type Outcome = 'found' | 'missing' | 'invalid' | 'wrong' | 'error';

/** A wrong answer, kept as an example for the report. */
export interface WrongAnswer {
  key: string;
  expected: string;
  received: string;
}

/** The verdict on one key's answer; `wrong` says why when the outcome is wrong. */
export interface Verdict {
  outcome: Outcome;
  wrong?: WrongAnswer;
}

/** True for statuses that mean the server could not serve, rather than answered wrongly. */
export function isServerFailure(status: number): boolean {
  return status >= 500 || status === 429;
}

/** Judges a `/get_value` answer (status and body text) for `probe`. */
export function checkSingle(probe: Probe, status: number, text: string): Verdict {
  if (isServerFailure(status)) return { outcome: 'error' };
  return judge(probe, status, parseJsonOrUndefined(text), text);
}

/** Judges a `/get_values` answer for `probes`: one verdict per key, in order. */
export function checkBatch(probes: readonly Probe[], status: number, text: string): Verdict[] {
  if (isServerFailure(status)) return probes.map(() => ({ outcome: 'error' }));
  const body = parseJsonOrUndefined(text);
  const results = isRecord(body) ? body.results : undefined;
  if (status !== 200 || !Array.isArray(results) || results.length !== probes.length) {
    const received = `${status} ${preview(text)}`;
    return probes.map((p) => ({
      outcome: 'wrong',
      wrong: { key: p.key, expected: `200 with ${probes.length} results`, received },
    }));
  }
  return probes.map((probe, i) => {
    const element: unknown = results[i];
    return judge(probe, elementStatus(element), element, JSON.stringify(element) ?? 'undefined');
  });
}

/** The status `/get_value` would have given for one element of a batch answer. */
function elementStatus(element: unknown): number {
  if (!isRecord(element)) return 0;
  if ('value' in element) return 200;
  return element.code === 'KEY_NOT_FOUND' ? 404 : 400;
}

function judge(probe: Probe, status: number, body: unknown, text: string): Verdict {
  const value = status === 200 && isRecord(body) && typeof body.value === 'string' ? body.value : undefined;
  const isError = isRecord(body) && typeof body.message === 'string';
  const expect = probe.expect;
  let ok: Outcome | undefined;
  switch (expect.kind) {
    case 'value':
      if (value === expect.value) ok = 'found';
      break;
    case 'missing':
      if (status === 404 && isError) ok = 'missing';
      break;
    case 'invalid':
      if (status === 400 && isError) ok = 'invalid';
      break;
    case 'found-or-missing':
      if (value !== undefined) ok = 'found';
      else if (status === 404 && isError) ok = 'missing';
      break;
  }
  if (ok !== undefined) return { outcome: ok };
  return {
    outcome: 'wrong',
    wrong: { key: probe.key, expected: describe(expect), received: `${status} ${preview(text)}` },
  };
}

function describe(expect: Expectation): string {
  switch (expect.kind) {
    case 'value':
      return `200 ${preview(JSON.stringify({ value: expect.value }))}`;
    case 'missing':
      return '404 with a message';
    case 'invalid':
      return '400 with a message';
    case 'found-or-missing':
      return '200 with a string value, or 404 with a message';
  }
}

function preview(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}
