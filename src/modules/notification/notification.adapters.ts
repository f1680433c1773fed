import type { PatientChannel } from '../../contracts/notification.js';

/** Result of handing one message to a channel. `recorded`: kept for the record only (demo); `sent`: accepted by the gateway. */
export interface DeliveryResult {
  status: 'recorded' | 'sent' | 'failed';
  error?: string;
}

/**
 * A channel to patients (SMS gateway, WeChat service account). Every message is first written to outbound_messages,
 * then handed to the adapter once; the adapter's answer is stored with it. A real adapter must be quick and must not
 * throw for a refused message — it answers `failed` with the gateway's reason.
 */
export interface MessageAdapter {
  channel: PatientChannel;
  /** Stored with each message, so the record says which gateway carried it. */
  name: string;
  deliver(msg: { address: string; body: string }): Promise<DeliveryResult>;
}

/** Demo SMS channel: sends nothing; the outbound_messages row is the record of what would have been sent. */
export class RecordingSmsAdapter implements MessageAdapter {
  readonly channel = 'sms' as const;
  readonly name = 'recording';
  async deliver(): Promise<DeliveryResult> {
    return { status: 'recorded' };
  }
}

/** Demo WeChat channel: sends nothing; the outbound_messages row is the record of what would have been sent. */
export class RecordingWechatAdapter implements MessageAdapter {
  readonly channel = 'wechat' as const;
  readonly name = 'recording';
  async deliver(): Promise<DeliveryResult> {
    return { status: 'recorded' };
  }
}

/** The adapters in use, one per patient channel. */
export interface MessageAdapters {
  sms: MessageAdapter;
  wechat: MessageAdapter;
}

export const recordingAdapters = (): MessageAdapters => ({ sms: new RecordingSmsAdapter(), wechat: new RecordingWechatAdapter() });

/** Masks a phone number or open id for readers who may not see patient identities: 13812345678 → 138****5678. */
export function maskAddress(address: string): string {
  if (address.length <= 4) return '*'.repeat(address.length);
  const keep = Math.min(3, Math.floor((address.length - 4) / 2));
  return `${address.slice(0, keep)}${'*'.repeat(address.length - keep - 4)}${address.slice(-4)}`;
}
