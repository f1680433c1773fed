export * from './network.js';
export * from './patient.js';
export * from './identity.js';
export * from './audit.js';
export * from './referral.js';
export * from './deadline.js';
export * from './notification.js';
export * from './indicators.js';
