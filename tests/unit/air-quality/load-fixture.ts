import { readFileSync } from 'node:fs';
import type { z } from 'zod';

/** Reads tests/fixtures/air-quality/<name> and checks its shape, so tests get typed data. */
export function loadFixture<T extends z.ZodType>(name: string, schema: T): z.infer<T> {
  const url = new URL(`../../fixtures/air-quality/${name}`, import.meta.url);
  return schema.parse(JSON.parse(readFileSync(url, 'utf8')));
}
