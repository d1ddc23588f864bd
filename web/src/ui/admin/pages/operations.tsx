import {
  type ActionFunctionArgs,
  data,
  type LoaderFunctionArgs,
  useActionData,
  useLoaderData,
} from 'react-router';
import type { StorefrontData } from '../../data';
import { formatDateTime } from '../../format';
import { formText, INTENT_FIELD } from '../../forms';
import { ActionMessage, type ActionOutcome, RowActions } from '../components';
import type { ParkedView, ProcessorView } from '../data';
import { adminRead } from '../route-data';

const PARKED_SHOWN = 50;

interface OperationsData {
  processors: ProcessorView[];
  parked: ParkedView[];
}

export function operationsLoader(source: StorefrontData) {
  return async ({ request }: LoaderFunctionArgs): Promise<OperationsData> =>
    adminRead(request, async () => {
      const [processors, parked] = await Promise.all([
        source.admin.listProcessors(),
        source.admin.listParked(PARKED_SHOWN),
      ]);
      return { processors, parked };
    });
}

/** Replay or discard a parked event: a request its processor takes on within its poll (5 s). */
export function operationsAction(source: StorefrontData) {
  return async ({ request }: ActionFunctionArgs) => {
    const form = await request.formData();
    const action = formText(form, INTENT_FIELD);
    if (action !== 'replay' && action !== 'discard')
      return data<ActionOutcome>({ ok: false, message: 'Unknown action' }, { status: 400 });
    const result = await adminRead(request, () => source.admin.requestParked(formText(form, 'id'), action));
    if (!result.ok)
      return data<ActionOutcome>({ ok: false, message: result.message }, { status: result.status });
    return {
      ok: true,
      message: `${action === 'replay' ? 'Replay' : 'Discard'} requested: the processor takes it on within seconds.`,
    };
  };
}

function lag(seconds: number | null): string {
  if (seconds === null) return '—';
  return seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}

function ProcessorsTable({ processors }: { processors: ProcessorView[] }) {
  return (
    <table className="admin-table" data-testid="processors-table">
      <caption className="visually-hidden">Change-stream processors</caption>
      <thead>
        <tr>
          <th scope="col">Processor</th>
          <th scope="col">State</th>
          <th scope="col">Owners and buckets</th>
          <th scope="col">Lag</th>
          <th scope="col">Last checkpoint</th>
          <th scope="col">Parked</th>
        </tr>
      </thead>
      <tbody>
        {processors.map((processor) => (
          <tr key={processor.name}>
            <th scope="row">{processor.name}</th>
            <td>
              <span className={processor.health === 'running' ? 'badge' : 'badge warn'}>
                {processor.health}
              </span>
            </td>
            <td>
              {processor.owners.map((owner) => (
                <div key={owner.owner}>
                  {owner.owner}: {owner.buckets.join(', ')}
                </div>
              ))}
              {processor.unownedBuckets.length > 0 && (
                <div>unowned: {processor.unownedBuckets.join(', ')}</div>
              )}
            </td>
            <td>{lag(processor.lagSeconds)}</td>
            <td>{processor.lastCheckpointAt && formatDateTime(processor.lastCheckpointAt)}</td>
            <td>{processor.parked.parked}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ParkedTable({ parked }: { parked: ParkedView[] }) {
  if (parked.length === 0) return <p className="empty">No parked events.</p>;
  return (
    <table className="admin-table" data-testid="parked-table">
      <caption className="visually-hidden">Parked events, newest first</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Processor</th>
          <th scope="col">Event</th>
          <th scope="col">Error</th>
          <th scope="col">Attempts</th>
          <th scope="col">Status</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {parked.map((event) => (
          <tr key={event.id}>
            <td>{formatDateTime(event.parkedAt)}</td>
            <td>{event.processor}</td>
            <td>
              {event.event.operationType ?? event.event.source} {JSON.stringify(event.event.documentKey)}
            </td>
            <td className="audit-changes">{event.error}</td>
            <td>{event.attempts}</td>
            <td>
              {event.status}
              {event.pendingRequest &&
                ` (${event.pendingRequest.action} asked by ${event.pendingRequest.requestedBy})`}
            </td>
            <td>
              {event.status === 'parked' && !event.pendingRequest && (
                <RowActions
                  fields={{ id: event.id }}
                  actions={[
                    { intent: 'replay', label: 'Replay' },
                    { intent: 'discard', label: 'Discard' },
                  ]}
                />
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OperationsPage() {
  const { processors, parked } = useLoaderData() as OperationsData;
  const outcome = useActionData() as ActionOutcome | undefined;
  return (
    <section aria-labelledby="operations-heading">
      <h1 id="operations-heading">Operations</h1>
      <ActionMessage outcome={outcome} testId="operations-status" />
      <h2>Processors</h2>
      <ProcessorsTable processors={processors} />
      <h2>Parked events</h2>
      <ParkedTable parked={parked} />
    </section>
  );
}
