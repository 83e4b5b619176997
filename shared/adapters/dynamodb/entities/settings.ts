import type { Settings } from '../../../domain/settings.js';
import { type Item, orgPk } from './keys.js';

export const settingsKey = (orgId: string) => ({ pk: orgPk(orgId), sk: 'SETTINGS' });

export const settingsItem = (s: Settings): Item => ({ ...settingsKey(s.orgId), entity: 'settings', ...s });
