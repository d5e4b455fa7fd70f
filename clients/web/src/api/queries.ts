// Queries more than one page reads: one key and one fetch each, so the pages share TanStack Query's cache.
import { queryOptions } from '@tanstack/react-query';
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
