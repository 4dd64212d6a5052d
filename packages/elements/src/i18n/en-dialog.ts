/** English strings of the disable dialog: the warning of the help article, and the step-up prompt. */
export const enDialog = {
  // Problems of a step-up code, by problem code.
  reason_invalid_code: 'That code did not work. Check your authenticator app and try again.',
  reason_code_already_used: 'That code was already used. Wait for the next one.',
  // The warning of the help article.
  dialogTitle: 'Disable two-factor authentication',
  dialogWarning: (name: string) =>
    `${name} will be able to sign in with their password alone until they turn 2FA on again. Only do this if they are locked out of their account and cannot sign in or use any backup codes.`,
  dialogBackupTip: 'When they turn 2FA on again, they get a new set of backup codes.',
  dialogConfirm: (name: string) => `I confirm I want to disable 2FA for ${name}`,
  dialogSubmit: 'Disable 2FA',
  dialogCancel: 'Cancel',
  dialogBusy: 'Disabling…',
  stepUpTitle: 'Confirm it is you',
  stepUpPrompt: 'Enter the 6-digit code from your own authenticator app.',
  stepUpLabel: 'Authentication code',
  stepUpSubmit: 'Verify and disable 2FA',
};
