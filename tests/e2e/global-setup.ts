import { down, up } from '../../workflows/stack.mjs';
import { e2eEnv, writeE2eEnv } from './stack';

export default async function globalSetup(): Promise<void> {
  await writeE2eEnv();
  down({ env: e2eEnv });
  try {
    await up({ env: e2eEnv, log: (line: string) => console.log(`[e2e stack] ${line.trim()}`) });
  } catch (error) {
    down({ env: e2eEnv });
    throw error;
  }
}
