import type { ReactNode } from 'react';
import { Form } from 'react-router';
import { CsrfField } from '../components/csrf-field';
import { FormAlert } from '../components/form-alert';
import { TextField } from '../components/text-field';
import { INTENT_FIELD } from '../forms';
import type { StreamState } from '../live/use-event-stream';

/** What a page's action answers: done (a status line) or refused (an alert). */
export interface ActionOutcome {
  ok: boolean;
  message: string;
}

export function ActionMessage({ outcome, testId }: { outcome: ActionOutcome | undefined; testId: string }) {
  if (!outcome) return null;
  if (!outcome.ok) return <FormAlert message={outcome.message} />;
  return (
    <p role="status" className="form-status" data-testid={testId}>
      {outcome.message}
    </p>
  );
}

/** Whether a live board is following its event stream. */
export function StreamBadge({ state }: { state: StreamState }) {
  const label = { live: 'live', idle: 'connecting', reconnecting: 'reconnecting' }[state];
  return (
    <span className={state === 'live' ? 'badge' : 'badge warn'} data-testid="board-stream">
      {label}
    </span>
  );
}

/** One column of a board: its stage, how many are in it, the cards shown and how many are not. */
export function BoardColumnFrame({
  stage,
  count,
  shown,
  children,
}: {
  stage: string;
  count: number;
  shown: number;
  children: ReactNode;
}) {
  return (
    <section className="board-column" aria-label={stage} data-testid={`column-${stage}`}>
      <h2>
        {stage} <span className="count">{count}</span>
      </h2>
      <ul>{children}</ul>
      {count > shown && <p className="hint">and {count - shown} more</p>}
    </section>
  );
}

/**
 * A row's buttons (archive, replay, cancel…): a form posting back to its page with the CSRF field,
 * `fields` as hidden inputs, and each button's `intent`. Works without JavaScript.
 */
export function RowActions({
  fields,
  actions,
}: {
  fields: Record<string, string | number>;
  actions: { intent: string; label: ReactNode }[];
}) {
  return (
    <Form method="post" className="inline-form">
      <CsrfField />
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {actions.map(({ intent, label }) => (
        <button key={intent} type="submit" name={INTENT_FIELD} value={intent} className="link-button">
          {label}
        </button>
      ))}
    </Form>
  );
}

/**
 * A catalog document's form: posts back with the CSRF field and the version it was based on (a newer
 * one refuses it: 409), shows the refusal, and asks for the id only when creating. Its key makes the
 * fields take the server's values again after a refusal that sent other ones.
 */
export function CatalogForm({
  version,
  refusal,
  id,
  children,
}: {
  version: number;
  refusal: string | undefined;
  /** Creating: the id field, its value, its error and an example of one. */
  id?: { value: string; error: string | undefined; example: string } | undefined;
  children: ReactNode;
}) {
  return (
    <Form method="post" noValidate key={`${version}:${refusal ? 'r' : 'l'}`} className="admin-form">
      <FormAlert message={refusal} />
      <CsrfField />
      <input type="hidden" name="version" value={version} />
      {id && (
        <TextField
          name="id"
          label="Id (in the address, never changes)"
          required
          defaultValue={id.value}
          error={id.error}
          hint={`Lower-case letters, digits and dashes, such as ${id.example}`}
        />
      )}
      {children}
    </Form>
  );
}
