import type { FastifySchemaValidationError } from 'fastify';
import { z } from 'zod';
import type { ParameterProblem } from './api-request-error.ts';

/**
 * Turns fastify-type-provider-zod validation errors into one problem per parameter, carrying the
 * accepted values when zod knows them (enums), so a 400 says e.g. city "paris" is not allowed and
 * lists nice and zhengzhou.
 */
export function toParameterProblems(
  validation: readonly FastifySchemaValidationError[],
  querySchema: unknown,
): ParameterProblem[] {
  return validation.flatMap((issue): ParameterProblem[] => {
    const params: Record<string, unknown> = issue.params;
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(params.keys)) {
      const known = querySchema instanceof z.ZodObject ? Object.keys(querySchema.shape) : [];
      return params.keys.map((key) => ({
        parameter: String(key),
        problem: 'is not a parameter of this endpoint',
        allowed: known,
      }));
    }
    const parameter = issue.instancePath.split('/').filter(Boolean)[0] ?? '(query string)';
    const problem = issue.message ?? 'is not allowed';
    const values = params.values;
    return [
      Array.isArray(values) ? { parameter, problem, allowed: values.map(String) } : { parameter, problem },
    ];
  });
}
