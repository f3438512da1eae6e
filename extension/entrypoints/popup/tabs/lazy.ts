/**
 * The popup's lazy chunk: the tabs beyond Keys, the old key of a regenerate with an overlap, and the views a popup seldom opens on (first-run setup,
 * forgot password, expired password). The popup opens with only what Keys, sign-in and unlock need; this
 * loads (from the extension's own files) the first time one of these is asked for.
 */
export { ExpiredPasswordView } from '../views/ExpiredPasswordView';
export { ForgotView } from '../views/ForgotView';
export { SetupView } from '../views/SetupView';
export { AccountTab } from './AccountTab';
export { BintrayTab } from './BintrayTab';
export { EndOldKeyConfirm, LegacyKeyNotice, OldApiKey, OverlapChoice, UnusedNotice } from './KeyRotation';
export { SshTab } from './SshTab';
export { TokensTab } from './TokensTab';
