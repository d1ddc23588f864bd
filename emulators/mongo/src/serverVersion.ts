/**
 * The mongod release the server presents itself as (`buildInfo`, `hello`'s maxWireVersion, FCV). Behaviour
 * that differs between releases follows it, the way drivers and spec tests decide by the version they see.
 */
export type MongodVersion = '7.0' | '8.0';

export interface VersionInfo {
  readonly release: MongodVersion;
  /** buildInfo.version */
  readonly version: string;
  readonly versionArray: readonly number[];
  readonly maxWireVersion: number;
}

const VERSIONS: Record<MongodVersion, VersionInfo> = {
  '7.0': { release: '7.0', version: '7.0.0', versionArray: [7, 0, 0, 0], maxWireVersion: 21 },
  '8.0': { release: '8.0', version: '8.0.0', versionArray: [8, 0, 0, 0], maxWireVersion: 25 },
};

const DEFAULT_VERSION: MongodVersion = '7.0';

export function versionInfo(release: MongodVersion = DEFAULT_VERSION): VersionInfo {
  const v = VERSIONS[release];
  if (!v)
    throw new Error(
      `unsupported mongod version ${String(release)}: one of ${Object.keys(VERSIONS).join(', ')}`,
    );
  return v;
}

/** mongod 8.0 added `sort` to update statements (updateOne / replaceOne): release notes, SERVER-27758. */
export function supportsUpdateSort(v: VersionInfo): boolean {
  return v.maxWireVersion >= 25;
}
