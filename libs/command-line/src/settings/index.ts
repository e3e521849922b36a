export { settingsSchema, type SettingsOf, type SettingsSchema } from './settings-schema';
export { setting, type HostPort } from './setting-kinds';
export { envName, type Setting, type SettingErrorFactory, type SettingOptions } from './setting';
