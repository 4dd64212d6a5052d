import darkThemeUrl from '@firm-security/elements/themes/dark.css?url';
import lightThemeUrl from '@firm-security/elements/themes/light.css?url';

export type Theme = 'light' | 'dark' | 'auto';
export type Language = 'en' | 'fr-CA';

const THEME_KEY = 'hartwell-reyes-demo:theme';
const LANGUAGE_KEY = 'hartwell-reyes-demo:language';

const read = (key: string): string | null => {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
};

const write = (key: string, value: string): void => {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // Private browsing or storage turned off: the choice lasts for this page only.
  }
};

export const storedTheme = (): Theme => {
  const value = read(THEME_KEY);
  return value === 'light' || value === 'dark' ? value : 'auto';
};

export const storedLanguage = (): Language => (read(LANGUAGE_KEY) === 'fr-CA' ? 'fr-CA' : 'en');

/**
 * Applies a theme: the page's own colours follow `data-theme` on <html>, and the kit's elements get
 * the matching theme file. "auto" loads none, so the elements follow `prefers-color-scheme` like the page.
 */
export const applyTheme = (theme: Theme, remember = false): void => {
  document.documentElement.dataset.theme = theme;
  let link = document.getElementById('firm-theme') as HTMLLinkElement | null;
  if (theme === 'auto') {
    link?.remove();
  } else {
    if (!link) {
      link = document.createElement('link');
      link.id = 'firm-theme';
      link.rel = 'stylesheet';
      document.head.append(link);
    }
    link.href = theme === 'dark' ? darkThemeUrl : lightThemeUrl;
  }
  if (remember) write(THEME_KEY, theme);
};

/** The kit's elements follow the nearest `lang`, so setting it on <html> switches them too. */
export const applyLanguage = (language: Language, remember = false): void => {
  document.documentElement.lang = language;
  if (remember) write(LANGUAGE_KEY, language);
};
