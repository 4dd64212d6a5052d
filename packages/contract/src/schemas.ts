import { z } from 'zod';
import { problemCodes } from './problems.js';

/**
 * Runtime schemas of every resource, request body and query of CONTRACT.md.
 * Each named schema is registered in `contractRegistry` so the OpenAPI document
 * can reference it as a component; the TypeScript types are inferred from them.
 */
export const contractRegistry = z.registry<{ id: string; description?: string }>();

const named = <T extends z.ZodType>(id: string, schema: T, description?: string): T => {
  contractRegistry.add(schema, description === undefined ? { id } : { id, description });
  return schema;
};

const timestamp = z.iso.datetime({ offset: false }).describe('RFC 3339 time in UTC');

export const ProblemCodeSchema = named('ProblemCode', z.enum(problemCodes));

export const PermissionSchema = named(
  'Permission',
  z.discriminatedUnion('allowed', [
    z.object({ allowed: z.literal(true) }).strict(),
    z
      .object({
        allowed: z.literal(false),
        reason: ProblemCodeSchema,
        retryAt: timestamp.optional().describe('When the action becomes possible (reminder_too_soon)'),
      })
      .strict(),
  ]),
  'Whether the viewer may perform an action, and the problem code it would get if not.',
);

export const RoleSchema = named('Role', z.enum(['administrator', 'user']));
export const TwoFactorStatusSchema = named('TwoFactorStatus', z.enum(['enabled', 'invited', 'not_enabled']));
export const RequirementStatusSchema = named(
  'RequirementStatus',
  z.enum(['required', 'not_required', 'not_available']),
);
export const SessionStageSchema = named('SessionStage', z.enum(['two_factor', 'two_factor_setup', 'complete']));

export const TwoFactorSchema = named(
  'TwoFactor',
  z
    .object({
      status: TwoFactorStatusSchema,
      enabledAt: timestamp.nullable(),
      backupCodesRemaining: z.number().int().min(0).nullable(),
    })
    .strict(),
);

export const InvitationSchema = named(
  'Invitation',
  z
    .object({
      sentAt: timestamp,
      reminderCount: z.number().int().min(0),
      lastReminderAt: timestamp.nullable(),
    })
    .strict(),
);

export const RequirementSchema = named(
  'Requirement',
  z
    .object({
      status: RequirementStatusSchema,
      reason: z.enum(['identity_not_migrated']).nullable(),
    })
    .strict(),
);

export const AllowedActionsSchema = named(
  'AllowedActions',
  z
    .object({
      invite: PermissionSchema,
      remind: PermissionSchema,
      setRequirement: PermissionSchema,
      disableTwoFactor: PermissionSchema,
    })
    .strict(),
);

/** Who a user is and their 2FA state: shared by FirmUser and the viewer's own user. */
const userIdentity = {
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: RoleSchema,
  isPrimarySubscriber: z.boolean(),
  twoFactor: TwoFactorSchema,
};

export const FirmUserSchema = named(
  'FirmUser',
  z
    .object({
      ...userIdentity,
      invitation: InvitationSchema.nullable(),
      requirement: RequirementSchema,
      lastSignInAt: timestamp.nullable(),
      version: z.number().int().min(1),
      allowedActions: AllowedActionsSchema,
    })
    .strict(),
  'An active user of the firm as the viewer sees it. Sent with a weak ETag W/"<version>".',
);

export const SummarySchema = named(
  'Summary',
  z
    .object({
      total: z.number().int().min(0),
      enabled: z.number().int().min(0),
      invited: z.number().int().min(0),
      notEnabled: z.number().int().min(0),
      required: z.number().int().min(0),
      notAvailable: z.number().int().min(0),
    })
    .strict(),
);

export const UserPageSchema = named(
  'UserPage',
  z
    .object({
      items: z.array(FirmUserSchema),
      nextCursor: z.string().nullable(),
      total: z.number().int().min(0),
      summary: SummarySchema,
    })
    .strict(),
);

export const ViewerSchema = named(
  'Viewer',
  z
    .object({
      user: z.object(userIdentity).strict(),
      session: z
        .object({ stage: SessionStageSchema, csrfToken: z.string(), verifiedAt: timestamp.nullable() })
        .strict(),
      permissions: z.object({ viewFirmSecurity: PermissionSchema, disableTwoFactor: PermissionSchema }).strict(),
    })
    .strict(),
);

export const auditActions = [
  'two_factor.invited',
  'two_factor.reminder_sent',
  'two_factor.requirement_changed',
  'two_factor.disabled',
  'two_factor.enabled',
  'two_factor.backup_codes_regenerated',
  'two_factor.backup_code_used',
  'two_factor.code_failed',
  'session.signed_in',
  'session.sign_in_failed',
  'session.stepped_up',
] as const;

const actorRef = z.object({ id: z.string(), name: z.string() }).strict().nullable();

export const AuditEventSchema = named(
  'AuditEvent',
  z
    .object({
      id: z.string(),
      at: timestamp,
      action: z.enum(auditActions),
      actor: actorRef,
      target: actorRef,
      details: z.record(z.string(), z.unknown()),
    })
    .strict(),
);

export const EventPageSchema = named(
  'EventPage',
  z.object({ items: z.array(AuditEventSchema), nextCursor: z.string().nullable() }).strict(),
);

export const SessionStartedSchema = named(
  'SessionStarted',
  z.object({ stage: SessionStageSchema, csrfToken: z.string() }).strict(),
);

export const SessionCompletedSchema = named(
  'SessionCompleted',
  z.object({ stage: z.literal('complete'), csrfToken: z.string() }).strict(),
);

export const TwoFactorSetupSchema = named(
  'TwoFactorSetup',
  z.object({ secret: z.string(), otpauthUri: z.string() }).strict(),
);

export const BackupCodesSchema = named(
  'BackupCodes',
  z.object({ backupCodes: z.array(z.string()).length(10) }).strict(),
);

export const ProblemSchema = named(
  'Problem',
  z
    .object({
      type: z.string(),
      title: z.string(),
      status: z.number().int(),
      detail: z.string(),
      code: ProblemCodeSchema,
      instance: z.string().optional(),
      retryAfter: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe('Seconds, as in the Retry-After header (429, and 409 idempotency_in_progress)'),
      allow: z.array(z.string()).optional().describe('Allowed methods (405 only)'),
      errors: z
        .array(z.object({ path: z.string(), message: z.string() }).strict())
        .optional()
        .describe('validation_failed only: JSON Pointer into the body, or the query parameter or header name'),
    })
    .strict(),
  'RFC 9457 problem details with a stable machine `code`.',
);

// ---- request bodies (strict: unknown keys are validation errors, which catches typos) ----

/** A six-digit TOTP code. */
const totpCode = z.string().regex(/^\d{6}$/, 'must be 6 digits');
/** A backup code as printed; dashes, spaces and case are ignored. */
const backupCode = z.string().min(1).max(64);

export const SignInRequestSchema = named(
  'SignInRequest',
  z.object({ email: z.string().min(1).max(254), password: z.string().min(1).max(1024) }).strict(),
);

export const VerifyRequestSchema = named(
  'VerifyRequest',
  z.union([z.object({ code: totpCode }).strict(), z.object({ backupCode }).strict()]),
);

export const CodeRequestSchema = named('CodeRequest', z.object({ code: totpCode }).strict());

export const RequirementRequestSchema = named('RequirementRequest', z.object({ required: z.boolean() }).strict());

export const DisableRequestSchema = named(
  'DisableTwoFactorRequest',
  z.object({ confirm: z.boolean().optional() }).strict(),
  'Missing or false `confirm` is confirmation_required; a wrong type is validation_failed.',
);

export const EmptyRequestSchema = named('EmptyRequest', z.object({}).strict(), 'No body, or an empty object.');

// ---- queries (strings on the wire) ----

const limitParam = (fallback: number) =>
  z
    .string()
    .regex(/^\d{1,4}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(200))
    .optional()
    .transform((value) => value ?? fallback);

/** How the OpenAPI document describes the integer query parameters (they arrive as strings). */
export const queryIntegerBounds: Record<string, { minimum: number; maximum: number }> = {
  limit: { minimum: 1, maximum: 200 },
};

/** Cursors carry the last row's sort values (a name of up to 200 characters); this bounds them generously. */
const CURSOR_MAX = 2048;

export const userSorts = ['name', '-name', 'email', '-email', 'status', '-status'] as const;

export const UsersQuerySchema = z
  .object({
    search: z.string().max(200).optional(),
    status: TwoFactorStatusSchema.optional(),
    requirement: RequirementStatusSchema.optional(),
    sort: z.enum(userSorts).optional().default('name'),
    limit: limitParam(50),
    cursor: z.string().max(CURSOR_MAX).optional(),
  })
  .strict();

export const EventsQuerySchema = z
  .object({
    limit: limitParam(50),
    cursor: z.string().max(CURSOR_MAX).optional(),
    // Unbounded on purpose: any id that matches no event (however long) gives an empty list, not a 422.
    targetId: z.string().optional(),
  })
  .strict();
