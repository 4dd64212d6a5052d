import { englishHeader, type HeaderText } from './layout.js';
import type { Language } from './preferences.js';

/** The host page's own words on the settings page; the kit's elements bring their own. */
export interface SettingsText {
  header: HeaderText;
  documentTitle: string;
  crumbSettings: string;
  crumbSecurity: string;
  crumbFirmSecurity: string;
  title: string;
  theme: string;
  themeLight: string;
  themeDark: string;
  themeAuto: string;
  language: string;
  intro: string;
  important: string;
  yourAccount: string;
  setUpLink: string;
  usersTitle: string;
  twoFactorOn: (since: string | undefined) => string;
  twoFactorOff: string;
}

const dateIn = (language: Language, iso: string | null): string | undefined =>
  iso ? new Intl.DateTimeFormat(language, { dateStyle: 'long' }).format(new Date(iso)) : undefined;

export const settingsText: Record<Language, SettingsText> = {
  en: {
    header: englishHeader,
    documentTitle: 'Firm Security · Hartwell & Reyes LLP',
    crumbSettings: 'Settings',
    crumbSecurity: 'Security & Compliance',
    crumbFirmSecurity: 'Firm Security',
    title: 'Firm Security',
    theme: 'Theme',
    themeLight: 'Light',
    themeDark: 'Dark',
    themeAuto: 'Auto',
    language: 'Language',
    intro:
      'Firm users with administrator permissions can invite, require, and disable two-factor authentication (2FA) for other firm users. Users who are invited can choose not to turn on 2FA. Users who are required must enable 2FA on their next log in.',
    important:
      'Only users with administrator permissions and the primary subscriber on the account can see the 2FA status of active users at their firm and perform these actions.',
    yourAccount: 'Your account',
    setUpLink: 'Set up 2FA for your account',
    usersTitle: 'Users',
    twoFactorOn: (since) => `Two-factor authentication is on for your account${since ? ` since ${since}` : ''}.`,
    twoFactorOff:
      'Two-factor authentication is off for your account. Turn it on to protect your account (administrators need it to disable 2FA for others).',
  },
  'fr-CA': {
    header: {
      firmSecurity: 'Sécurité du cabinet',
      setUp: 'Configurer la 2FA',
      mailbox: 'Courriels (dév.)',
      signIn: 'Se connecter',
      signOut: 'Se déconnecter',
      skip: 'Passer au contenu principal',
      mainNav: 'Principale',
      signedInAs: 'Connecté en tant que',
    },
    documentTitle: 'Sécurité du cabinet · Hartwell & Reyes LLP',
    crumbSettings: 'Paramètres',
    crumbSecurity: 'Sécurité et conformité',
    crumbFirmSecurity: 'Sécurité du cabinet',
    title: 'Sécurité du cabinet',
    theme: 'Thème',
    themeLight: 'Clair',
    themeDark: 'Sombre',
    themeAuto: 'Auto',
    language: 'Langue',
    intro:
      'Les utilisateurs du cabinet qui ont des droits d’administrateur peuvent inviter, exiger et désactiver l’authentification à deux facteurs (2FA) pour les autres utilisateurs du cabinet. Les utilisateurs invités peuvent choisir de ne pas activer la 2FA. Les utilisateurs pour qui elle est exigée doivent l’activer à leur prochaine connexion.',
    important:
      'Seuls les utilisateurs ayant des droits d’administrateur et l’abonné principal du compte peuvent voir l’état de la 2FA des utilisateurs actifs du cabinet et effectuer ces actions.',
    yourAccount: 'Votre compte',
    setUpLink: 'Configurer la 2FA pour votre compte',
    usersTitle: 'Utilisateurs',
    twoFactorOn: (since) =>
      `L’authentification à deux facteurs est activée pour votre compte${since ? ` depuis le ${since}` : ''}.`,
    twoFactorOff:
      'L’authentification à deux facteurs est désactivée pour votre compte. Activez-la pour protéger votre compte (les administrateurs en ont besoin pour désactiver la 2FA des autres).',
  },
};

export { dateIn };
