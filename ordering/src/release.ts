// The release's processor hand-over CLI (common/src/release/cli.ts), shipped in ordering's image:
// the post-promotion step of a blue-green release runs it (docs/deploy.md).
import { runReleaseCli } from '@az-shop/common';

process.exitCode = await runReleaseCli(process.argv.slice(2));
