import { type Document, Long } from 'bson';

/**
 * What serverStatus reports about executed commands, shaped like mongod's: `opcounters` (documents
 * inserted, update and delete statements, finds, getMores, every other command) and
 * `metrics.commands.<name>` ({ total, failed }). Benchmarks read it to count round trips per unit of work.
 */
export class CommandMetrics {
  private readonly opcounters = { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 };
  private readonly commands = new Map<string, { total: number; failed: number }>();

  record(name: string, cmd: Document, ok: boolean): void {
    const counts = this.commands.get(name) ?? { total: 0, failed: 0 };
    counts.total++;
    if (!ok) counts.failed++;
    this.commands.set(name, counts);
    const statements = (field: string) => (Array.isArray(cmd[field]) ? (cmd[field] as unknown[]).length : 0);
    if (name === 'insert') this.opcounters.insert += statements('documents');
    else if (name === 'update') this.opcounters.update += statements('updates');
    else if (name === 'delete') this.opcounters.delete += statements('deletes');
    else if (name === 'find') this.opcounters.query++;
    else if (name === 'getMore') this.opcounters.getmore++;
    else this.opcounters.command++;
  }

  /** The `opcounters` and `metrics.commands` sections of serverStatus. */
  status(): { opcounters: Document; commands: Document } {
    const opcounters: Document = {};
    for (const [k, v] of Object.entries(this.opcounters)) opcounters[k] = Long.fromNumber(v);
    const commands: Document = {};
    for (const [name, c] of [...this.commands].sort(([a], [b]) => a.localeCompare(b))) {
      commands[name] = { failed: Long.fromNumber(c.failed), total: Long.fromNumber(c.total) };
    }
    return { opcounters, commands };
  }
}
