import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { roleChangeOf } from '../authorization/policies';
import { rolesNamedIn } from '../authorization/rules/tenant-rules';
import { TenantDirectory, type Invitation, type MemberWithRoles, type TenantMember } from '../authorization/tenant-directory.service';
import type { RequestTrace } from '../common/http/request-trace';
import { ProblemException } from '../common/problems/problem.exception';
import { definedFields } from '../common/validation/defined-fields';
import type { FronteggCreateUserRequest } from '../identity/frontegg-api.types';
import { IdentityClient } from '../identity/identity.client';
import type { InviteMemberDto } from './dto/invite-member.dto';
import type { MemberDto } from './dto/member.dto';
import type { SetMemberRolesDto } from './dto/set-member-roles.dto';
import { toMember } from './member.mapper';

/**
 * Changes to the members of the caller's tenant (CONTRACT §4.3): the writes only. Every rule has
 * been applied by the route's policy before a method here runs; each write drops the tenant's
 * cached grants, on every instance.
 */
@Injectable()
export class MemberAdministration {
  private readonly logger = new Logger('MemberAdministration');

  constructor(
    private readonly identity: IdentityClient,
    private readonly directory: TenantDirectory,
  ) {}

  async invite(principal: Principal, { visibleRoles }: Invitation, invitation: InviteMemberDto, trace: RequestTrace): Promise<MemberDto> {
    const body: FronteggCreateUserRequest = { ...definedFields(invitation, INVITATION_FIELDS), email: invitation.email, metadata: '{}' };
    const created = await this.directory.changing(principal.tenantId, () => this.identity.inviteUser(principal.tenantId, body, trace));
    // UserCreatedResponse names the roles by id; those the tenant cannot see are not shown.
    const roles = visibleRoles.filter((role) => (created.roles ?? []).includes(role.id));
    return toMember(created, { roles });
  }

  async remove(principal: Principal, { user }: TenantMember, trace: RequestTrace): Promise<void> {
    await this.directory.changing(principal.tenantId, () => this.identity.removeUserFromTenant(principal.tenantId, user.id, trace));
  }

  /**
   * Sends only the difference: unassigns the removed roles first (a failure then leaves the member
   * with less access, never more), then assigns the added ones. When the second call fails the
   * first is undone and the answer is `502`; when the undo fails too, an error line names the
   * member and both changes for an operator.
   */
  async setRoles(principal: Principal, target: MemberWithRoles, { roleIds }: SetMemberRolesDto, trace: RequestTrace): Promise<MemberDto> {
    const { added, removed } = roleChangeOf(target, { roleIds });
    const tenantId = principal.tenantId;
    const userId = target.user.id;
    const unassigned = removed.map((role) => role.id);
    const assigned = added.map((role) => role.id);
    await this.directory.changing(tenantId, async () => {
      if (unassigned.length > 0) await this.identity.changeUserRoles(tenantId, userId, 'unassign', unassigned, trace);
      if (assigned.length === 0) return;
      try {
        await this.identity.changeUserRoles(tenantId, userId, 'assign', assigned, trace);
      } catch (error) {
        if (unassigned.length === 0) throw error;
        await this.undoUnassignment(principal, userId, unassigned, assigned, error, trace);
      }
    });
    return toMember(target.user, { roles: rolesNamedIn(target.visibleRoles, roleIds) });
  }

  private async undoUnassignment(principal: Principal, userId: string, unassigned: string[], assigned: string[], cause: unknown, trace: RequestTrace): Promise<never> {
    const context = { tenant: principal.tenantId, actor: principal.userId, userId, unassignedRoleIds: unassigned, assignedRoleIds: assigned, traceId: trace.traceId };
    try {
      await this.identity.changeUserRoles(principal.tenantId, userId, 'assign', unassigned, trace);
      this.logger.warn({ ...context, err: cause }, 'assigning roles failed after unassigning others; the unassignment was undone');
    } catch (undoError) {
      this.logger.error(
        { ...context, err: undoError, cause },
        `role change of ${userId} half-done: roles ${unassigned.join(', ')} were unassigned, assigning ${assigned.join(', ')} failed, and re-assigning them failed too`,
      );
    }
    throw new ProblemException(HttpStatus.BAD_GATEWAY, 'identity API failed during the role change; nothing was changed', { cause });
  }
}

const INVITATION_FIELDS = ['name', 'roleIds', 'skipInviteEmail'] as const;
