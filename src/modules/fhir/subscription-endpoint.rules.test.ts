import { describe, expect, it } from 'vitest';
import { endpointRefusal, isPrivateHost } from './subscription-endpoint.rules.js';

describe('subscription endpoints', () => {
  it('refuses loopback, private and link-local hosts', () => {
    for (const h of ['localhost', 'api.localhost', '127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.10', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) {
      expect(isPrivateHost(h), h).toBe(true);
    }
    for (const h of ['his.example.cn', '8.8.8.8', '172.32.0.1', '192.169.0.1', '2001:db8::1']) expect(isPrivateHost(h), h).toBe(false);
  });
  it('allows a private host the operator listed, with or without its port', () => {
    expect(endpointRefusal('http://127.0.0.1:8080/hook', [])).toMatch(/内网/);
    expect(endpointRefusal('http://127.0.0.1:8080/hook', ['127.0.0.1'])).toBeNull();
    expect(endpointRefusal('http://127.0.0.1:8080/hook', ['127.0.0.1:8080'])).toBeNull();
    expect(endpointRefusal('http://127.0.0.1:8081/hook', ['127.0.0.1:8080'])).toMatch(/内网/);
    expect(endpointRefusal('http://[::1]/hook', [])).toMatch(/内网/);
    expect(endpointRefusal('https://his.example.cn/fhir-hook', [])).toBeNull();
  });
});
