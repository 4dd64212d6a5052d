import type { MailKind } from '../store/records.js';

/** What a template may mention. Every value is escaped in the HTML part. */
export interface MailData {
  recipientName: string;
  firmName: string;
  actorName: string;
  /** Where the recipient signs in. */
  signInUrl: string;
  /** Time of the action, formatted for the locale by the caller. */
  when: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

type Paragraphs = (data: MailData) => { subject: string; greeting: string; body: string[]; steps?: string[] };

/** Messages by locale. A new locale is one more entry; `en` is the fallback. */
export const mailMessages: Record<string, Record<MailKind, Paragraphs>> = {
  en: {
    invitation: (d) => ({
      subject: `${d.actorName} invited you to turn on two-factor authentication`,
      greeting: `Hello ${d.recipientName},`,
      body: [
        `${d.actorName} at ${d.firmName} asked you to turn on two-factor authentication (2FA) for your account. 2FA keeps your account safe even if someone learns your password.`,
      ],
      steps: [
        `Sign in at ${d.signInUrl}.`,
        'Go to Settings > Security & Compliance and choose to turn on two-factor authentication.',
        'Scan the QR code with an authenticator app (or type the secret shown), then enter the 6-digit code it gives you.',
        'Save your backup codes somewhere safe: each one signs you in once if you lose your phone.',
      ],
    }),
    reminder: (d) => ({
      subject: 'Reminder: turn on two-factor authentication',
      greeting: `Hello ${d.recipientName},`,
      body: [
        `${d.actorName} at ${d.firmName} is reminding you to turn on two-factor authentication (2FA) for your account.`,
      ],
      steps: [
        `Sign in at ${d.signInUrl}.`,
        'Go to Settings > Security & Compliance and choose to turn on two-factor authentication.',
        'Scan the QR code with an authenticator app, enter the 6-digit code, and save your backup codes.',
      ],
    }),
    two_factor_disabled: (d) => ({
      subject: 'Two-factor authentication was disabled on your account',
      greeting: `Hello ${d.recipientName},`,
      body: [
        `${d.actorName}, an administrator at ${d.firmName}, disabled two-factor authentication (2FA) on your account on ${d.when}. Your old backup codes no longer work and you were signed out everywhere.`,
        `Sign in at ${d.signInUrl} and turn 2FA on again: you will get a new set of backup codes.`,
        'If you did not ask for this, contact your administrator right away.',
      ],
    }),
  },
  'fr-CA': {
    invitation: (d) => ({
      subject: `${d.actorName} vous invite à activer l’authentification à deux facteurs`,
      greeting: `Bonjour ${d.recipientName},`,
      body: [
        `${d.actorName}, de ${d.firmName}, vous demande d’activer l’authentification à deux facteurs (2FA) pour votre compte. La 2FA protège votre compte même si quelqu’un apprend votre mot de passe.`,
      ],
      steps: [
        `Connectez-vous à ${d.signInUrl}.`,
        'Allez dans Paramètres > Sécurité et conformité et choisissez d’activer l’authentification à deux facteurs.',
        'Balayez le code QR avec une application d’authentification (ou saisissez le secret affiché), puis entrez le code à 6 chiffres.',
        'Conservez vos codes de secours en lieu sûr : chacun permet une connexion si vous perdez votre téléphone.',
      ],
    }),
    reminder: (d) => ({
      subject: 'Rappel : activez l’authentification à deux facteurs',
      greeting: `Bonjour ${d.recipientName},`,
      body: [
        `${d.actorName}, de ${d.firmName}, vous rappelle d’activer l’authentification à deux facteurs (2FA) pour votre compte.`,
      ],
      steps: [
        `Connectez-vous à ${d.signInUrl}.`,
        'Allez dans Paramètres > Sécurité et conformité et choisissez d’activer l’authentification à deux facteurs.',
        'Balayez le code QR avec une application d’authentification, entrez le code à 6 chiffres et conservez vos codes de secours.',
      ],
    }),
    two_factor_disabled: (d) => ({
      subject: 'L’authentification à deux facteurs a été désactivée sur votre compte',
      greeting: `Bonjour ${d.recipientName},`,
      body: [
        `${d.actorName}, administrateur chez ${d.firmName}, a désactivé l’authentification à deux facteurs (2FA) sur votre compte le ${d.when}. Vos anciens codes de secours ne fonctionnent plus et vous avez été déconnecté partout.`,
        `Connectez-vous à ${d.signInUrl} et réactivez la 2FA : vous recevrez un nouvel ensemble de codes de secours.`,
        'Si vous n’avez pas fait cette demande, communiquez immédiatement avec votre administrateur.',
      ],
    }),
  },
};

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

export const renderMail = (kind: MailKind, locale: string, data: MailData): RenderedMail => {
  const messages = mailMessages[locale] ?? (mailMessages.en as Record<MailKind, Paragraphs>);
  const { subject, greeting, body, steps } = messages[kind](data);
  const text = [greeting, '', ...body.flatMap((p) => [p, '']), ...(steps ?? []).map((s, i) => `${i + 1}. ${s}`)]
    .join('\n')
    .trimEnd();
  const html = [
    `<p>${escapeHtml(greeting)}</p>`,
    ...body.map((p) => `<p>${escapeHtml(p)}</p>`),
    steps ? `<ol>${steps.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol>` : '',
  ].join('\n');
  return { subject: subject.replace(/[\r\n]+/g, ' '), text: `${text}\n`, html };
};
