/**
 * Route option for large list answers built by our own typed code (/v1/readings as JSON):
 * re-checking every item against the zod schema on the way out (the default serializer) only
 * costs time. The schema still documents the response in /openapi.json. (/v1/latest and
 * /v1/series send bytes they encode themselves.)
 */
export const plainJsonSerializer = {
  serializerCompiler: () => (data: unknown) => JSON.stringify(data),
} as const;
