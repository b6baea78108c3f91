// Compiles only while the generated types still describe what the example app reads.
import type { DashboardQuery, GrantDelegationMutation, SyncDelegationsQuery } from "./generated/types";

export function firstSiren(data: DashboardQuery): string | null | undefined {
  return data.viewer?.companies.edges[0]?.node.siren;
}

export function errorFields(data: GrantDelegationMutation): string[] {
  return data.grantDelegation.userErrors.map((error) => error.field?.join(".") ?? "");
}

export function nextCursor(data: SyncDelegationsQuery): string | null | undefined {
  return data.viewer?.delegationChanges.pageInfo.endCursor;
}
