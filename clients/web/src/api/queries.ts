// Queries more than one page reads: one key and one fetch each, so the pages share TanStack Query's cache.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';

export const planQuery = (planId: string) =>
  queryOptions({ queryKey: ['plan', planId], queryFn: async () => unwrap(await api.GET('/api/v1/plans/{plan_id}', { params: { path: { plan_id: planId } } })) });

export const stakeholderQuery = (stakeholderId: string) =>
  queryOptions({
    queryKey: ['stakeholder', stakeholderId],
    queryFn: async () => unwrap(await api.GET('/api/v1/stakeholders/{stakeholder_id}', { params: { path: { stakeholder_id: stakeholderId } } })),
  });

/** The plans to choose from (a select, the duty index). */
export const planChoicesQuery = queryOptions({
  queryKey: ['plans', 'options'],
  queryFn: async () => unwrap(await api.GET('/api/v1/plans', { params: { query: { limit: 200 } } })),
});

/**
 * A plan RecordSelect's choices, and the title of the chosen plan (`planId`) read by its id when it is not among
 * them (a tenant with more plans than the one page read).
 */
export function usePlanChoices(planId: string | null | undefined) {
  const plans = useQuery(planChoicesQuery);
  const listed = plans.data?.items.some((p) => p.id === planId);
  const chosen = useQuery({ ...planQuery(planId ?? ''), enabled: Boolean(planId) && listed === false });
  return { choices: plans.data?.items.map((p) => ({ id: p.id, text: p.title })), chosen: chosen.data?.title };
}

export const organisationQuery = (organisationId: string) =>
  queryOptions({
    queryKey: ['organisation', organisationId],
    queryFn: async () => unwrap(await api.GET('/api/v1/organisations/{organisation_id}', { params: { path: { organisation_id: organisationId } } })),
  });
