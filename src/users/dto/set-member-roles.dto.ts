import { MemberRoleIds } from './member-roles';

/** The member's roles in your tenant from now on (it replaces them; only the difference goes upstream). */
export class SetMemberRolesDto {
  @MemberRoleIds('Every role the member is to hold in your tenant: roles of your tenant or environment-wide ones')
  roleIds!: string[];
}
