export * from './network.js';
export * from './patient.js';
export * from './identity.js';
export * from './audit.js';
