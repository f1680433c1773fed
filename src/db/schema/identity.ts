import { pgTable, text, timestamp, boolean, integer, primaryKey, uniqueIndex, index } from 'drizzle-orm/pg-core';
import { roleCodes } from '../../contracts/codes.js';
import { organizations, practitioners } from './network.js';

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    /** argon2id PHC string. */
    passwordHash: text('password_hash').notNull(),
    organizationId: text('organization_id').references(() => organizations.id),
    practitionerId: text('practitioner_id').references(() => practitioners.id),
    active: boolean('active').notNull().default(true),
    /** Consecutive failed sign-ins; reset on success. Drives the lock below. */
    failedLogins: integer('failed_logins').notNull().default(0),
    /** Sign-in refused until this time after repeated failures; lifts by itself or by an admin's unlock. */
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    /** SCIM externalId of the provisioning system. */
    externalId: text('external_id'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_username_uq').on(t.username), index('users_org_idx').on(t.organizationId)],
);

export const userRoles = pgTable(
  'user_roles',
  {
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: roleCodes }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.role] })],
);

/** OAuth2 confidential clients for `client_credentials`; each acts as its service user (roles and organization). */
export const oauthClients = pgTable('oauth_clients', {
  clientId: text('client_id').primaryKey(),
  secretHash: text('secret_hash').notNull(),
  name: text('name').notNull(),
  serviceUserId: text('service_user_id').notNull().references(() => users.id),
  active: boolean('active').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Opaque bearer tokens and browser sessions, stored as SHA-256 so a database read does not yield live tokens. */
export const accessTokens = pgTable(
  'access_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['bearer', 'session'] }).notNull(),
    clientId: text('client_id'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('access_tokens_user_idx').on(t.userId), index('access_tokens_expiry_idx').on(t.expiresAt)],
);
