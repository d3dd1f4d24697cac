import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../domain/errors.ts';

describe('error catalogue', () => {
  const documented = [...readFileSync('docs/errors.md', 'utf8').matchAll(/^### ([A-Z_]+)$/gm)].map(
    (m) => m[1],
  );

  it('documents every error code in docs/errors.md', () => {
    expect(Object.keys(ERROR_CODES).filter((code) => !documented.includes(code))).toEqual([]);
  });

  it('documents no code that does not exist', () => {
    expect(documented.filter((code) => code === undefined || !(code in ERROR_CODES))).toEqual([]);
  });
});
