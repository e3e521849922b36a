export { settingsSchema, type SettingsOf, type SettingsSchema } from './settings-schema';
export { setting, type CustomSyntax, type HostPort } from './setting-kinds';
export {
  clusterSettings,
  clusterSettingsOf,
  vsyncSecretOf,
  vsyncTlsOf,
  type ClusterSettingsOptions,
  type ClusterSettings,
} from './cluster-settings';
export { envName, type Setting, type SettingErrorFactory, type SettingOptions } from './setting';
