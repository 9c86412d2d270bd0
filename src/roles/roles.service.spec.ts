import type { PermissionCatalogue } from '../authorization/permission-catalogue.service';
import type { TenantDirectory } from '../authorization/tenant-directory.service';
import type { RequestTrace } from '../common/http/request-trace';
import type { FronteggPermission } from '../identity/frontegg-api.types';
import { RolesService } from './roles.service';

const permission = (id: string, extra: Partial<FronteggPermission> = {}) =>
  ({ id, key: `app.${id}`, name: id, description: undefined, categoryId: 'cat-app', createdAt: '2026-01-01T00:00:00.000Z', ...extra }) as FronteggPermission;

describe('RolesService.permissions', () => {
  const trace = {} as RequestTrace;
  let cached: FronteggPermission[];
  const service = new RolesService({} as TenantDirectory, { answer: async () => ({ value: cached, cacheStatus: 'gateway; hit; ttl=3' }) } as unknown as PermissionCatalogue);

  it("answers the contract's fields only, missing ones as null", async () => {
    cached = [permission('p1'), permission('p2', { description: 'Two', categoryId: undefined })];
    expect(await service.permissions(trace)).toEqual({
      value: [
        { id: 'p1', key: 'app.p1', name: 'p1', description: null, categoryId: 'cat-app' },
        { id: 'p2', key: 'app.p2', name: 'p2', description: 'Two', categoryId: null },
      ],
      cacheStatus: 'gateway; hit; ttl=3',
    });
  });

  it('answers one cached catalogue with one answer object (so that its JSON is serialized once), and a new catalogue with a new one', async () => {
    cached = [permission('p1')];
    const first = (await service.permissions(trace)).value;
    expect((await service.permissions(trace)).value).toBe(first);

    cached = [permission('p1'), permission('p3')];
    const changed = (await service.permissions(trace)).value;
    expect(changed).not.toBe(first);
    expect(changed.map(({ id }) => id)).toEqual(['p1', 'p3']);
  });
});
