import { CSRF_FIELD } from '../forms';
import { useRootData } from '../root-data';

/** The hidden CSRF token every page form carries (the server checks it on a post without JavaScript). */
export function CsrfField() {
  const { session } = useRootData();
  return <input type="hidden" name={CSRF_FIELD} value={session.csrfToken} />;
}
