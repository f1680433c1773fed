import type { Platform } from '../bootstrap.js';
import type { ActivityInput } from '../contracts/activity.js';
import type { RoleCode } from '../contracts/codes.js';
import type { MeDto, UserDto, UserInput } from '../contracts/identity.js';
import type { OrganizationDto, OrganizationInput } from '../contracts/network.js';
import type { PatientBatchResult, PatientDto, PatientInput } from '../contracts/patient.js';
import type { RegistrationResult } from '../modules/patient/index.js';
import { systemClock } from '../shared/clock.js';
import type { Actor, RequestContext } from '../shared/context.js';
import type { Page } from '../shared/pagination.js';
import { AppError, errorCodes, type ErrorCode } from '../shared/errors.js';

const isErrorCode = (c: string): c is ErrorCode => (errorCodes as readonly string[]).includes(c);
import type { ServerClient } from './server-client.js';
import { FatalError } from './errors.js';

/** The outcome of recording one activity (IndicatorService.recordActivities, POST /api/v1/activities/$batch). */
export type ActivityOutcome = { ok: true; id: string; duplicate: boolean } | { ok: false; error: AppError };

export interface OrganizationRef {
  id: string;
  identifier: string;
  name: string;
}

/** A patient exactly as a file row describes it, to recognise a row imported by an earlier run. */
export interface PatientFingerprint {
  name: string;
  birthDate: string;
  sex: 'male' | 'female';
  phone: string | null;
  managingOrganizationId: string;
}

/**
 * What the commands need, implemented twice: directly over the services (the database is ours) and through the
 * running server's API (the server holds the embedded database). Both raise the services' AppError for a refused
 * row, so a reject reads the same whichever way the row went.
 */
export interface CliBackend {
  readonly via: 'database' | 'server';
  createUser(input: UserInput): Promise<UserDto>;
  createOrganization(input: OrganizationInput): Promise<OrganizationDto>;
  findOrganization(idOrIdentifier: string): Promise<OrganizationRef | null>;
  /** Registers a patient; `onBehalfOf` is the organization the CLI acts for when it works on the database directly. */
  registerPatient(input: PatientInput, onBehalfOf: string): Promise<PatientDto>;
  /**
   * Registers many patients at once with the same outcome per row as `registerPatient` on each in turn (direct
   * access only; through the server, rows go one by one).
   */
  registerPatients?(inputs: PatientInput[], onBehalfOf: string): Promise<RegistrationResult[]>;
  hasIdenticalPatient(p: PatientFingerprint, onBehalfOf: string): Promise<boolean>;
  /** The organization of the account the import runs as (server) — null when it has none. */
  registrarOrganization(): Promise<OrganizationRef | null | 'any'>;
  /** Records visits and stays (≤ 1,000 a call), one outcome per input in order; a record already present is a duplicate. */
  recordActivities(inputs: readonly ActivityInput[]): Promise<ActivityOutcome[]>;
}

const cliClock = systemClock;

/**
 * Direct access. Account and facility administration runs as the `admin` system administrator; patient registration
 * needs a clinical basis (access.rules.ts), so it runs as a CLI actor attached to the organization the import is for,
 * with the alliance-administrator role: it may write patients of that organization and of its alliance mates, and
 * nothing else — the same rule as an alliance administrator at the console. Audit rows carry channel `cli`.
 */
export class DirectBackend implements CliBackend {
  readonly via = 'database' as const;
  private adminActor: Actor | null = null;

  constructor(private readonly platform: Platform) {}

  private get services() {
    return this.platform.services;
  }

  private ctx(actor: Actor): RequestContext {
    return { actor, clock: cliClock, channel: 'cli' };
  }

  /** The `admin` account as actor (created by prepareDirect); a bare system-admin actor only to look it up. */
  private async admin(): Promise<RequestContext> {
    if (!this.adminActor) {
      const lookup = this.ctx({ userId: '', username: 'cli', organizationId: null, roles: ['system-admin'] });
      const admin = await this.services.identity.findUserByUsername(lookup, 'admin');
      this.adminActor = admin
        ? { userId: admin.id, username: admin.username, organizationId: admin.organizationId, roles: admin.roles as RoleCode[] }
        : lookup.actor;
    }
    return this.ctx(this.adminActor);
  }

  private patientCtx(organizationId: string): RequestContext {
    return this.ctx({ userId: '', username: 'cli', organizationId, roles: ['alliance-admin'] });
  }

  async createUser(input: UserInput): Promise<UserDto> {
    return this.services.identity.createUser(await this.admin(), input);
  }

  async createOrganization(input: OrganizationInput): Promise<OrganizationDto> {
    return this.services.network.createOrganization(await this.admin(), input);
  }

  async findOrganization(idOrIdentifier: string): Promise<OrganizationRef | null> {
    const o = await this.services.network.findOrganization(idOrIdentifier);
    return o ? { id: o.id, identifier: o.identifier, name: o.name } : null;
  }

  async registerPatient(input: PatientInput, onBehalfOf: string): Promise<PatientDto> {
    return this.services.patients.register(this.patientCtx(onBehalfOf), input);
  }

  async registerPatients(inputs: PatientInput[], onBehalfOf: string): Promise<RegistrationResult[]> {
    return this.services.patients.registerMany(this.patientCtx(onBehalfOf), inputs);
  }

  async hasIdenticalPatient(p: PatientFingerprint, onBehalfOf: string): Promise<boolean> {
    const { items } = await this.services.patients.find(
      this.patientCtx(onBehalfOf),
      { nameExact: p.name, birthDate: p.birthDate, sex: p.sex, organizationId: p.managingOrganizationId },
      0,
      50,
    );
    return items.some((x) => x.name === p.name && (x.phone ?? null) === p.phone);
  }

  async registrarOrganization(): Promise<'any'> {
    return 'any';
  }

  /** As the `admin` account, channel `cli`. */
  async recordActivities(inputs: readonly ActivityInput[]): Promise<ActivityOutcome[]> {
    return (await this.services.indicators.recordActivities(await this.admin(), inputs)).results;
  }
}

/** Through the running server's API, as the signed-in account; the server applies its access rules to that account. */
export class ServerBackend implements CliBackend {
  readonly via = 'server' as const;
  private me: MeDto | null = null;

  constructor(private readonly client: ServerClient) {}

  async createUser(input: UserInput): Promise<UserDto> {
    return this.client.post<UserDto>('/api/v1/users', input);
  }

  async createOrganization(input: OrganizationInput): Promise<OrganizationDto> {
    return this.client.post<OrganizationDto>('/api/v1/organizations', input);
  }

  async findOrganization(idOrIdentifier: string): Promise<OrganizationRef | null> {
    const page = await this.client.get<Page<OrganizationDto>>('/api/v1/organizations', { identifier: idOrIdentifier, pageSize: 1 });
    const byIdentifier = page.items[0];
    if (byIdentifier) return { id: byIdentifier.id, identifier: byIdentifier.identifier, name: byIdentifier.name };
    try {
      const detail = await this.client.get<{ organization: OrganizationDto }>(`/api/v1/organizations/${encodeURIComponent(idOrIdentifier)}`);
      return { id: detail.organization.id, identifier: detail.organization.identifier, name: detail.organization.name };
    } catch (e) {
      if ((e as { code?: string }).code === 'not_found' || (e as { code?: string }).code === 'invalid') return null;
      throw e;
    }
  }

  async registerPatient(input: PatientInput): Promise<PatientDto> {
    return this.client.post<PatientDto>('/api/v1/patients', input);
  }

  /** One request per batch; the server registers as the signed-in account, whose organization the CLI acts for. */
  async registerPatients(inputs: PatientInput[]): Promise<RegistrationResult[]> {
    const { results } = await this.client.post<PatientBatchResult>('/api/v1/patients/$batch', { patients: inputs });
    return results.map((r) =>
      r.ok ? r : { ok: false as const, error: new AppError(isErrorCode(r.error.code) ? r.error.code : 'invalid', r.error.message, { path: r.error.path, detail: r.error.detail }) },
    );
  }

  async hasIdenticalPatient(p: PatientFingerprint): Promise<boolean> {
    const page = await this.client.get<Page<PatientDto>>('/api/v1/patients', {
      name: p.name, birthDate: p.birthDate, sex: p.sex, organizationId: p.managingOrganizationId, pageSize: 50,
    });
    return page.items.some((x) => x.name === p.name && (x.phone ?? null) === p.phone);
  }

  async registrarOrganization(): Promise<OrganizationRef | null> {
    this.me ??= await this.client.get<MeDto>('/api/v1/me');
    const o = this.me.organization;
    return o ? { id: o.id, identifier: o.identifier, name: o.name } : null;
  }

  /** One request per batch of up to 1,000. */
  async recordActivities(inputs: readonly ActivityInput[]): Promise<ActivityOutcome[]> {
    type Wire = { ok: true; id: string; duplicate: boolean } | { ok: false; error: { code: string; message: string; path?: string } };
    const { results } = await this.client.post<{ results: Wire[] }>('/api/v1/activities/$batch', { activities: inputs });
    if (!Array.isArray(results) || results.length !== inputs.length) {
      throw new FatalError(`服务器对 ${inputs.length} 条记录返回了 ${Array.isArray(results) ? results.length : 0} 个结果 / the server answered ${Array.isArray(results) ? results.length : 0} results for ${inputs.length} records`);
    }
    return results.map((r) =>
      r.ok ? r : { ok: false as const, error: new AppError(isErrorCode(r.error.code) ? r.error.code : 'invalid', r.error.message, { path: r.error.path }) },
    );
  }
}
