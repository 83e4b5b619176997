import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Claims } from './auth.js';

/** The organisation's settings as GET /api/settings answers them (null before an owner saves them). */
export interface OrgSettings {
  name: string;
  mainContactEmail: string;
  sender: { name: string; email: string };
  replyTo: string;
  timeZone: string;
  locale: 'fr-CA' | 'en';
  jurisdiction: string;
  branding?: { primaryColor?: string; logoUrl?: string };
  version: number;
  updatedAt: string;
}

export interface Session {
  claims: Claims;
  /** R-CON-5: settings, gateway and users are for owners; the console hides them from staff. */
  owner: boolean;
  settings: OrgSettings | null;
  /** The settings' ETag, for an owner's edit. */
  settingsEtag: string | null;
  /** Re-reads the settings (after an owner saved them). */
  refreshSettings: () => Promise<void>;
  /** The local cloud (npm start): shows its panel (clock, mail viewer). */
  local: boolean;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside the signed-in console');
  return session;
}
