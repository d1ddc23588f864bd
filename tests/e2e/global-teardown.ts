import { rmSync } from 'node:fs';
import { down } from '../../workflows/stack.mjs';
import { e2eDir, e2eEnv } from './stack';

export default async function globalTeardown(): Promise<void> {
  down({ env: e2eEnv });
  if (!process.env.KEEP_E2E_DATA) rmSync(e2eDir, { recursive: true, force: true });
}
