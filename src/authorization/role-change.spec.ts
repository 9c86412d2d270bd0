import type { FronteggRole } from '../identity/frontegg-api.types';
import { roleChangeOf } from './policies';
import type { MemberWithRoles } from './tenant-directory.service';

const role = (id: string, level: number) => ({ id, key: id, name: id, level, permissions: [] }) as unknown as FronteggRole;

describe('roleChangeOf', () => {
  const visibleRoles = [role('admin', 10), role('member', 50), role('auditor', 30)];
  const target = (held: FronteggRole[]) => ({ membership: { tenantId: 't1', roles: held }, visibleRoles }) as unknown as MemberWithRoles;

  it('compares by id: what is wanted and not held is added, what is held and not wanted is removed', () => {
    const { added, removed } = roleChangeOf(target([role('member', 50), role('auditor', 30)]), { roleIds: ['auditor', 'admin'] });
    expect(added.map((r) => r.id)).toEqual(['admin']);
    expect(removed.map((r) => r.id)).toEqual(['member']);
  });

  it('is empty both ways for the roles already held, and removes every role for none', () => {
    expect(roleChangeOf(target([role('member', 50)]), { roleIds: ['member'] })).toEqual({ added: [], removed: [] });
    expect(roleChangeOf(target([role('member', 50)]), { roleIds: [] }).removed.map((r) => r.id)).toEqual(['member']);
  });

  it('takes the levels of removed roles from the membership, and refuses ids the tenant does not see', () => {
    expect(roleChangeOf(target([role('foreign-but-held', 5)]), { roleIds: [] }).removed[0].level).toBe(5);
    expect(() => roleChangeOf(target([]), { roleIds: ['theirs'] })).toThrow(expect.objectContaining({ status: 400 }));
  });
});
