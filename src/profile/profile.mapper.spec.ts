import type { FronteggPermission, FronteggRole, FronteggUser } from '../identity/frontegg-api.types';
import { permissionKeysOf } from '../authorization/grants';
import { parseJsonObject, toProfile } from './profile.mapper';
import { upstreamUpdateOf } from './profile.service';

describe('toProfile', () => {
  const role = { id: 'r1', key: 'Admin', name: 'Admin', permissions: ['p1'] } as FronteggRole;
  const user = {
    id: 'u1',
    email: 'u1@example.com',
    name: 'U One',
    tenantIds: ['t1'],
    metadata: '{"theme":"dark"}',
    vendorMetadata: '{"plan":"gold"}',
    mfaBypass: true,
    superUser: true,
    externalId: 'ext-1',
    verified: true,
    mfaEnrolled: false,
    createdAt: '2026-01-01T00:00:00.000Z',
  } as unknown as FronteggUser;

  it('keeps exactly the contract fields, null when the upstream left one out', () => {
    const profile = toProfile(user, 't1', ['t1'], [role], ['fe.secure.read.roles']);
    expect(profile).toEqual({
      id: 'u1',
      email: 'u1@example.com',
      name: 'U One',
      phoneNumber: null,
      profilePictureUrl: null,
      verified: true,
      mfaEnrolled: false,
      tenantId: 't1',
      tenantIds: ['t1'],
      roles: [{ id: 'r1', key: 'Admin', name: 'Admin' }],
      permissions: ['fe.secure.read.roles'],
      metadata: { theme: 'dark' },
      createdAt: '2026-01-01T00:00:00.000Z',
      lastLogin: null,
    });
  });

  it('resolves role permissions through the catalogue', () => {
    const catalogue = [
      { id: 'p1', key: 'fe.secure.read.roles' },
      { id: 'p2', key: 'fe.secure.write.roles' },
    ] as FronteggPermission[];
    expect(permissionKeysOf([role], catalogue)).toEqual(['fe.secure.read.roles']);
  });

  it.each([[null], [''], ['not json'], ['[1,2]'], ['"text"'], ['42']])('reads metadata %j as null', (text) => {
    expect(parseJsonObject(text)).toBeNull();
  });
});

describe('upstreamUpdateOf', () => {
  it('sends exactly the given fields, metadata as a JSON string', () => {
    expect(upstreamUpdateOf({ name: 'New', metadata: { a: 1 } })).toEqual({ name: 'New', metadata: '{"a":1}' });
    expect(upstreamUpdateOf({ phoneNumber: '+14155550100' })).toEqual({ phoneNumber: '+14155550100' });
  });

  it('refuses an empty change', () => {
    expect(() => upstreamUpdateOf({})).toThrow('body must contain at least one of');
  });
});
