import type { SessionUser } from '../auth/user';

/** Who made an admin change, as the audit log and the changed document record it. */
export interface Actor {
  sub: string;
  email?: string;
  name: string;
}

export function actorOf(user: SessionUser): Actor {
  return { sub: user.sub, name: user.name, ...(user.email && { email: user.email }) };
}
