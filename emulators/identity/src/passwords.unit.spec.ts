import { describe, expect, it } from 'vitest';
import { DEV_USERS } from './accounts';
import { createCredentials } from './passwords';

describe('createCredentials', () => {
  it('accepts each seeded user with their own password, whatever the case of the email', async () => {
    const credentials = await createCredentials(DEV_USERS);
    for (const user of DEV_USERS) {
      const result = await credentials.check(` ${user.email.toUpperCase()} `, user.password);
      expect(result).toEqual({ ok: true, user });
    }
  });

  it('refuses another user’s password, an empty one and an overlong one', async () => {
    const credentials = await createCredentials(DEV_USERS);
    const refused = { ok: false, reason: 'wrong password' };
    expect(await credentials.check('admin@example.com', 'shopper-password')).toEqual(refused);
    expect(await credentials.check('admin@example.com', '')).toEqual(refused);
    expect(await credentials.check('admin@example.com', `admin-password${'x'.repeat(300)}`)).toEqual(refused);
  });

  it('refuses an unknown email', async () => {
    const credentials = await createCredentials(DEV_USERS);
    expect(await credentials.check('nobody@example.com', 'admin-password')).toEqual({
      ok: false,
      reason: 'unknown email',
    });
  });
});
