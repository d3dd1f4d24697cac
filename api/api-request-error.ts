import { UcapError } from '../domain/errors.ts';

/** One thing wrong with a request, named so a researcher can fix the URL without reading code. */
export interface ParameterProblem {
  readonly parameter: string;
  readonly problem: string;
  /** The accepted values, when they are a closed list. */
  readonly allowed?: readonly string[];
}

/** A request the API refuses (400 API_BAD_REQUEST); `details` list every bad parameter. */
export class ApiRequestError extends UcapError {
  readonly details: readonly ParameterProblem[];

  constructor(details: readonly ParameterProblem[]) {
    super('API_BAD_REQUEST', details.map((d) => `${d.parameter}: ${d.problem}`).join('; '));
    this.name = 'ApiRequestError';
    this.details = details;
  }
}

export function badParameter(
  parameter: string,
  problem: string,
  allowed?: readonly string[],
): ApiRequestError {
  return new ApiRequestError([
    allowed === undefined ? { parameter, problem } : { parameter, problem, allowed },
  ]);
}
