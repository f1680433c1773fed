import { keepPreviousData, type QueryClient, useQuery } from '@tanstack/react-query';
import type { Page } from '../../lib/page.js';
import type {
  AllianceDto, CatalogueEntryDto, CatalogueOverrideInput, DepartmentDto, DepartmentInput, DivisionDto, MembershipDto, NetworkSummaryDto,
  OrganizationDetailDto, OrganizationDto, OrganizationQuery, PractitionerDto, PractitionerInput, PractitionerPatch, PractitionerRoleDto,
  PractitionerRoleInput, SupportPairingDto, SupportPairingInput,
} from '../../../contracts/network.js';
import type { FacilityTier, MembershipRole } from '../../../contracts/codes.js';
import type { CatalogueCheckResult } from '../../../contracts/ui.js';
import { get, request } from '../../api/client.js';

/** The network module's calls: divisions, organizations, alliances, practitioners, tier catalogue. */

export type OrganizationFilter = Partial<Omit<OrganizationQuery, 'page' | 'pageSize' | 'sort'>> & {
  page?: number;
  pageSize?: number;
  sort?: OrganizationQuery['sort'];
};

export const networkKeys = {
  summary: ['network', 'summary'] as const,
  divisions: (parent: string | null) => ['network', 'divisions', parent] as const,
  division: (code: string) => ['network', 'division', code] as const,
  organizations: (f: OrganizationFilter) => ['network', 'organizations', f] as const,
  organization: (id: string) => ['network', 'organization', id] as const,
  alliances: ['network', 'alliances'] as const,
  members: (allianceId: string, on: string | null) => ['network', 'members', allianceId, on] as const,
  practitioners: (f: PractitionerFilter) => ['network', 'practitioners', f] as const,
  catalogue: (tier: FacilityTier, allianceId: string | null) => ['network', 'catalogue', tier, allianceId] as const,
  /** Every tier's default entries with one alliance's own (GET /api/v1/catalogue?allianceId=). */
  allianceCatalogue: (allianceId: string) => ['network', 'catalogue', 'alliance', allianceId] as const,
  catalogueCheck: (tier: FacilityTier, icd10: string, allianceId: string | null) => ['network', 'catalogue', 'check', tier, icd10, allianceId] as const,
};

export const fetchNetworkSummary = () => get<NetworkSummaryDto>('/api/v1/network/summary');
/** Children of a division; without a parent, the provinces. */
export const fetchDivisions = (parent: string | null) =>
  get<DivisionDto[]>('/api/v1/divisions', parent ? { parent } : undefined);
export const fetchDivision = (code: string) => get<DivisionDto>(`/api/v1/divisions/${encodeURIComponent(code)}`);
export const fetchOrganizations = (f: OrganizationFilter) => get<Page<OrganizationDto>>('/api/v1/organizations', f);
export const fetchOrganization = (id: string) =>
  get<OrganizationDetailDto>(`/api/v1/organizations/${encodeURIComponent(id)}`);
export const fetchAlliances = () => get<AllianceDto[]>('/api/v1/alliances');
/** Members on a day (YYYY-MM-DD) or, with `on` null, every membership ever recorded. */
export const fetchAllianceMembers = (allianceId: string, on: string | null) =>
  get<MembershipDto[]>(`/api/v1/alliances/${encodeURIComponent(allianceId)}/members`, on ? { on } : undefined);

export interface PractitionerFilter {
  q?: string;
  organizationId?: string;
  page?: number;
  pageSize?: number;
}
export const fetchPractitioners = (f: PractitionerFilter) => get<Page<PractitionerDto>>('/api/v1/practitioners', { ...f });
export const fetchCatalogue = (tier: FacilityTier, allianceId: string | null) =>
  get<CatalogueEntryDto[]>('/api/v1/catalogue', { tier, allianceId });
export const checkCatalogue = (tier: FacilityTier, icd10: string, allianceId: string | null) =>
  get<CatalogueCheckResult>('/api/v1/catalogue/check', { tier, icd10, allianceId });
/** The default catalogue of every tier plus this alliance's own entries. */
export const fetchAllianceCatalogue = (allianceId: string) => get<CatalogueEntryDto[]>('/api/v1/catalogue', { allianceId });

// ---- alliance administration (system admin, or an alliance admin of the lead organization; the server decides)

/** Body of POST /api/v1/alliances/:id/members (contracts/network.ts membershipInputSchema). */
export interface MembershipInput {
  organizationId: string;
  role: MembershipRole;
  validFrom: string;
  reason?: string | null;
}
export const addMembership = (allianceId: string, input: MembershipInput) =>
  request<MembershipDto>('POST', `/api/v1/alliances/${encodeURIComponent(allianceId)}/members`, { body: input });
/** Closes an open membership period: `validTo` is the first day the organization is no longer a member. */
export const endMembership = (membershipId: string, input: { validTo: string; reason: string }) =>
  request<MembershipDto>('POST', `/api/v1/memberships/${encodeURIComponent(membershipId)}/end`, { body: input });
export const addCatalogueOverride = (allianceId: string, input: CatalogueOverrideInput) =>
  request<CatalogueEntryDto>('POST', `/api/v1/alliances/${encodeURIComponent(allianceId)}/catalogue`, { body: input });
/** Removes an alliance's own entry (204); the default catalogue cannot be removed this way. */
export const removeCatalogueOverride = (entryId: string) =>
  request<void>('DELETE', `/api/v1/catalogue/${encodeURIComponent(entryId)}`);

// ---- registry maintenance (system admin, or an alliance admin for its led alliance's members; the server decides)

export const addDepartment = (organizationId: string, input: DepartmentInput) =>
  request<DepartmentDto>('POST', `/api/v1/organizations/${encodeURIComponent(organizationId)}/departments`, { body: input });
/** Registers a practitioner together with its home role (from today). */
export const createPractitioner = (input: PractitionerInput) => request<PractitionerDto>('POST', '/api/v1/practitioners', { body: input });
export const updatePractitioner = (id: string, patch: PractitionerPatch) =>
  request<PractitionerDto>('PATCH', `/api/v1/practitioners/${encodeURIComponent(id)}`, { body: patch });
/** A time-limited role (派驻/巡回/出诊) at another facility. */
export const addPractitionerRole = (practitionerId: string, input: PractitionerRoleInput) =>
  request<PractitionerRoleDto>('POST', `/api/v1/practitioners/${encodeURIComponent(practitionerId)}/roles`, { body: input });
export const addPairing = (input: SupportPairingInput) => request<SupportPairingDto>('POST', '/api/v1/pairings', { body: input });

/** After a registry change: facility pages, practitioner searches and the summary's head count. */
export function invalidateRegistry(queryClient: QueryClient): Promise<void> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: ['network', 'organization'] }),
    queryClient.invalidateQueries({ queryKey: ['network', 'practitioners'] }),
    queryClient.invalidateQueries({ queryKey: networkKeys.summary }),
  ]).then(() => undefined);
}

/** Practitioners by name, specialty or licence number (GET /api/v1/practitioners?q=). */
export const usePractitioners = (f: PractitionerFilter, enabled = true) =>
  useQuery({ queryKey: networkKeys.practitioners(f), queryFn: () => fetchPractitioners(f), placeholderData: keepPreviousData, enabled });

/**
 * After a membership change: the alliance's member lists (every date and the history), the alliance list's member
 * counts, and facility pages and lists that show or filter by membership.
 */
export function invalidateMembership(queryClient: QueryClient, allianceId: string): Promise<void> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: ['network', 'members', allianceId] }),
    queryClient.invalidateQueries({ queryKey: networkKeys.alliances }),
    queryClient.invalidateQueries({ queryKey: ['network', 'organization'] }),
    queryClient.invalidateQueries({ queryKey: ['network', 'organizations'] }),
    queryClient.invalidateQueries({ queryKey: networkKeys.summary }),
  ]).then(() => undefined);
}

/** After a catalogue change: every cached catalogue list, and facility pages (they show their tier's catalogue). */
export function invalidateCatalogue(queryClient: QueryClient): Promise<void> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: ['network', 'catalogue'] }),
    queryClient.invalidateQueries({ queryKey: ['network', 'organization'] }),
  ]).then(() => undefined);
}

// Network data changes rarely (a member joins, a doctor is stationed); five minutes of freshness is plenty.
const stale = 5 * 60_000;

export const useNetworkSummary = (enabled = true) =>
  useQuery({ queryKey: networkKeys.summary, queryFn: fetchNetworkSummary, staleTime: stale, enabled });
export const useDivision = (code: string) =>
  useQuery({ queryKey: networkKeys.division(code), queryFn: () => fetchDivision(code), staleTime: Infinity });
export const useDivisions = (parent: string | null, enabled = true) =>
  useQuery({ queryKey: networkKeys.divisions(parent), queryFn: () => fetchDivisions(parent), staleTime: Infinity, enabled });
export const useOrganizations = (f: OrganizationFilter, enabled = true) =>
  useQuery({
    queryKey: networkKeys.organizations(f),
    queryFn: () => fetchOrganizations(f),
    staleTime: stale,
    placeholderData: keepPreviousData,
    enabled,
  });
export const useOrganization = (id: string | null | undefined) =>
  useQuery({
    queryKey: networkKeys.organization(id ?? ''),
    queryFn: () => fetchOrganization(id ?? ''),
    staleTime: stale,
    enabled: Boolean(id),
  });
export const useAlliances = () => useQuery({ queryKey: networkKeys.alliances, queryFn: fetchAlliances, staleTime: stale });
export const useAllianceMembers = (allianceId: string | null, on: string | null) =>
  useQuery({
    queryKey: networkKeys.members(allianceId ?? '', on),
    queryFn: () => fetchAllianceMembers(allianceId ?? '', on),
    staleTime: stale,
    enabled: Boolean(allianceId),
  });
export const useCatalogue = (tier: FacilityTier, allianceId: string | null) =>
  useQuery({ queryKey: networkKeys.catalogue(tier, allianceId), queryFn: () => fetchCatalogue(tier, allianceId), staleTime: stale });
/** The catalogue decision for a code; null `icd10` = nothing asked yet. Refreshed when the catalogue changes. */
export const useCatalogueCheck = (tier: FacilityTier, icd10: string | null, allianceId: string | null) =>
  useQuery({
    queryKey: networkKeys.catalogueCheck(tier, icd10 ?? '', allianceId),
    queryFn: () => checkCatalogue(tier, icd10 ?? '', allianceId),
    enabled: Boolean(icd10),
  });
export const useAllianceCatalogue = (allianceId: string | null) =>
  useQuery({
    queryKey: networkKeys.allianceCatalogue(allianceId ?? ''),
    queryFn: () => fetchAllianceCatalogue(allianceId ?? ''),
    staleTime: stale,
    enabled: Boolean(allianceId),
  });
