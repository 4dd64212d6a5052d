import type { z } from 'zod';
import type * as s from './schemas.js';

export type Permission = z.infer<typeof s.PermissionSchema>;
export type Role = z.infer<typeof s.RoleSchema>;
export type TwoFactorStatus = z.infer<typeof s.TwoFactorStatusSchema>;
export type RequirementStatus = z.infer<typeof s.RequirementStatusSchema>;
export type SessionStage = z.infer<typeof s.SessionStageSchema>;
export type TwoFactor = z.infer<typeof s.TwoFactorSchema>;
export type Invitation = z.infer<typeof s.InvitationSchema>;
export type Requirement = z.infer<typeof s.RequirementSchema>;
export type AllowedActions = z.infer<typeof s.AllowedActionsSchema>;
export type FirmUser = z.infer<typeof s.FirmUserSchema>;
export type Summary = z.infer<typeof s.SummarySchema>;
export type UserPage = z.infer<typeof s.UserPageSchema>;
export type Viewer = z.infer<typeof s.ViewerSchema>;
export type AuditAction = (typeof s.auditActions)[number];
export type AuditEvent = z.infer<typeof s.AuditEventSchema>;
export type EventPage = z.infer<typeof s.EventPageSchema>;
export type SessionStarted = z.infer<typeof s.SessionStartedSchema>;
export type SessionCompleted = z.infer<typeof s.SessionCompletedSchema>;
export type TwoFactorSetup = z.infer<typeof s.TwoFactorSetupSchema>;
export type BackupCodes = z.infer<typeof s.BackupCodesSchema>;
export type Problem = z.infer<typeof s.ProblemSchema>;
export type SignInRequest = z.infer<typeof s.SignInRequestSchema>;
export type VerifyRequest = z.infer<typeof s.VerifyRequestSchema>;
export type CodeRequest = z.infer<typeof s.CodeRequestSchema>;
export type RequirementRequest = z.infer<typeof s.RequirementRequestSchema>;
export type DisableTwoFactorRequest = z.infer<typeof s.DisableRequestSchema>;
export type UserSort = (typeof s.userSorts)[number];
/** Query of `GET /firm/users` as a caller writes it. */
export interface UsersQuery {
  search?: string;
  status?: TwoFactorStatus;
  requirement?: RequirementStatus;
  sort?: UserSort;
  limit?: number;
  cursor?: string;
}
/** Query of `GET /firm/events` as a caller writes it. */
export interface EventsQuery {
  limit?: number;
  cursor?: string;
  targetId?: string;
}
