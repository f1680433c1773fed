/** Public API of the notification module: in-app notifications to staff and messages to patients (SMS, WeChat). */
export { NotificationService } from './notification.service.js';
export type { NotifyUsersInput, MessagePatientInput, MessageOutcome } from './notification.service.js';
export { RecordingSmsAdapter, RecordingWechatAdapter, recordingAdapters, maskAddress } from './notification.adapters.js';
export type { MessageAdapter, MessageAdapters, DeliveryResult } from './notification.adapters.js';
