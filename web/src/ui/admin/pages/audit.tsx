import { type LoaderFunctionArgs, useLoaderData } from 'react-router';
import type { StorefrontData } from '../../data';
import { formatDateTime } from '../../format';
import type { AuditEntryView } from '../data';
import { adminRead } from '../route-data';

const PAGE_SIZE = 50;

export function auditLoader(source: StorefrontData) {
  return async ({ request }: LoaderFunctionArgs): Promise<AuditEntryView[]> => {
    const before = new URL(request.url).searchParams.get('before') ?? undefined;
    // Only a time is passed on; anything else would be refused by the API's schema.
    const valid = before && !Number.isNaN(Date.parse(before)) ? new Date(before).toISOString() : undefined;
    return adminRead(request, () =>
      source.admin.listAudit({ limit: PAGE_SIZE, ...(valid && { before: valid }) }),
    );
  };
}

function describeChanges(changes: Record<string, unknown> | undefined): string {
  if (!changes) return '';
  return Object.entries(changes)
    .map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}

export function AuditPage() {
  const entries = useLoaderData() as AuditEntryView[];
  const last = entries.at(-1);
  return (
    <section aria-labelledby="audit-heading">
      <h1 id="audit-heading">Audit</h1>
      <p>Every change made in the back office: who, what and when, newest first.</p>
      <table className="admin-table" data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">On</th>
            <th scope="col">Values</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry._id}>
              <td>
                <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
              </td>
              <td>{entry.actor.email ?? entry.actor.name}</td>
              <td>{entry.action}</td>
              <td>
                {entry.target.kind} {entry.target.id}
              </td>
              <td className="audit-changes">{describeChanges(entry.changes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.length === PAGE_SIZE && last && (
        <p>
          <a href={`/admin/audit?before=${encodeURIComponent(last.at)}`}>Older entries</a>
        </p>
      )}
    </section>
  );
}
