/** A form's overall refusal, announced as soon as it appears. */
export function FormAlert({ message }: { message?: string | undefined }) {
  if (!message) return null;
  return (
    <p className="form-alert" role="alert" data-testid="form-alert">
      {message}
    </p>
  );
}
