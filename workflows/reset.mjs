#!/usr/bin/env node
// `npm run reset`: stop the local stack and wipe its data directories (not .env_local).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { readEnv, root } from './env-file.mjs';
import { pm2 } from './pm2.mjs';

const vars = readEnv();
pm2(['kill'], { stdio: 'pipe' });
for (const dir of [vars.MONGO_DATA_DIR ?? '__mongo_data__', vars.BLOB_DATA_DIR ?? '__blobstorage__']) {
  rmSync(join(root, dir), { recursive: true, force: true });
  console.log(`removed ${dir}`);
}
