// The app's front door (and the server's fallback for unknown paths): the Firm Security settings page,
// which sends visitors without a session on to sign in.
window.location.replace('settings.html');
