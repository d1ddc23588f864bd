import { spawnSync } from 'node:child_process';

export const NAMESPACE = 'az-shop';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one command to completion; `input` goes to its stdin. */
export type Run = (command: string, args: string[], input?: string) => CommandResult;

export const runProcess: Run = (command, args, input) => {
  const result = spawnSync(command, args, {
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) return { code: 127, stdout: '', stderr: `${command}: ${result.error.message}` };
  return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
};

export class KubectlError extends Error {
  constructor(
    readonly args: string[],
    readonly result: CommandResult,
  ) {
    super(
      `kubectl ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
}

/** kubectl in the shop's namespace: every call carries `-n az-shop`, whatever the kubeconfig's default. */
export function kubectl(run: Run) {
  const call = (args: string[], input?: string): CommandResult =>
    run('kubectl', [...args, '-n', NAMESPACE], input);
  return {
    /** Runs and returns the result whatever the exit code (for callers that read NotFound or Degraded). */
    call,
    /** Runs and throws KubectlError unless it exits 0. */
    ok(args: string[], input?: string): string {
      const result = call(args, input);
      if (result.code !== 0) throw new KubectlError(args, result);
      return result.stdout;
    },
  };
}
export type Kubectl = ReturnType<typeof kubectl>;
