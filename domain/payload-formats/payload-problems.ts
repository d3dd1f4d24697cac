import type { z } from 'zod';
import type { Problem } from '../reading.ts';

/** A payload path such as `sensordatavalues[2].value` from its segments. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += path === '' ? String(segment) : `.${String(segment)}`;
  }
  return path || '(root)';
}

/** Zod issues as problems, paths prefixed (e.g. `[3]` for the fourth SenML record). */
export function schemaProblems(error: z.ZodError, prefix: readonly PropertyKey[] = []): Problem[] {
  return error.issues.map((issue) => ({
    code: 'INGEST_INVALID_PAYLOAD' as const,
    path: formatPath([...prefix, ...issue.path]),
    message: issue.message,
  }));
}

/** A short, printable rendering of any payload value for a message. */
export function show(value: unknown, max = 40): string {
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * The value as a number, or the problem. Strings are refused, not coerced: only a format whose
 * definition says values are strings (airrohr) may coerce, and it does so itself.
 */
export function expectNumber(value: unknown, path: string): number | Problem {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const drift = typeof value === 'string' ? ' (numbers sent as strings are not accepted in this format)' : '';
  return { code: 'INGEST_INVALID_PAYLOAD', path, message: `expected a number, got ${show(value)}${drift}` };
}

export function unknownUnitProblem(unit: string, path: string, known: readonly string[]): Problem {
  return {
    code: 'INGEST_UNKNOWN_UNIT',
    path,
    message: `unit ${show(unit)} is not understood (known: ${known.join(', ')})`,
  };
}

export function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}
