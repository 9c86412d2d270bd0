import { isEnvironmentWide } from '../authorization/rules/tenant-rules';
import type { FronteggRole } from '../identity/frontegg-api.types';
import type { RoleDto } from './dto/role.dto';

export function toRoleDto(role: FronteggRole): RoleDto {
  return {
    id: role.id,
    key: role.key,
    name: role.name,
    description: role.description ?? null,
    isDefault: role.isDefault ?? false,
    // No finite level from the upstream: left out of the answer (never a made-up number), as a missing one always was.
    level: role.level ?? (undefined as unknown as number),
    permissions: role.permissions ?? [],
    environmentWide: isEnvironmentWide(role),
  };
}
