import { z } from 'zod';
import { defineJob } from '../../dsl/index.ts';

/** A minimal Lambda job for tests that need a task state but not a particular payload. */
export const touch = defineJob({
  name: 'touch',
  description: 'Touches a record',
  input: z.object({ id: z.string() }),
  output: z.object({}),
  runsOn: ['lambda'],
  module: 'test/dsl/touch.ts',
});
