import { z } from 'zod';

/** Pieces shared by the /v1 response schemas. */
export function utcTime(description = 'UTC time.') {
  return z.string().meta({
    description: `${description} RFC 3339 in UTC (e.g. 2026-11-29T08:00:00Z); milliseconds appear only when non-zero.`,
    format: 'date-time',
  });
}

export function localTime(description = "The same instant in the city's time zone.") {
  return z.string().meta({
    description: `${description} Wall-clock time with its offset (e.g. 2026-11-29T09:00:00+01:00).`,
    format: 'date-time',
  });
}

export const metricIdSchema = z.string().describe('Metric id from the metric catalog (e.g. pm25).');

export const problemSchema = z.object({
  parameter: z.string().describe('The query parameter at fault.'),
  problem: z.string().describe('What is wrong with it.'),
  allowed: z.array(z.string()).optional().describe('The accepted values, when they form a closed list.'),
});

export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable error code from the error catalogue (e.g. API_BAD_REQUEST).'),
      message: z.string().describe('What went wrong, for a person.'),
      requestId: z.string().describe('Quote this when reporting a problem; it is in the server log.'),
      details: z.array(problemSchema).optional().describe('One entry per bad parameter (400 only).'),
    }),
  })
  .describe('Every error has this shape.');

export type ErrorResponse = z.infer<typeof errorResponseSchema>;

/** Error responses each /v1 route documents besides its 200. */
export const errorResponses = {
  400: errorResponseSchema.describe('A parameter is missing or not allowed; `details` names each one.'),
  500: errorResponseSchema.describe('The server failed; the message leaks no internals.'),
  503: errorResponseSchema.describe('The time-series store is unavailable; retry later.'),
} as const;
