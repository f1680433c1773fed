/**
 * Where a FHIR Subscription may send notifications. The server makes the request, so an endpoint on the loopback
 * interface or the hospital's private network could reach services that are not meant to be reachable from outside
 * (server-side request forgery). Such hosts are refused unless the operator lists them
 * (`YILIAN_SUBSCRIPTION_PRIVATE_HOSTS`). Host names are judged as written: a public name that resolves to a private
 * address is not caught here (the network's egress rules are the place for that).
 */
export function endpointRefusal(endpoint: string, allowedPrivateHosts: readonly string[]): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return '不是有效的地址';
  }
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (!isPrivateHost(host)) return null;
  if (allowedPrivateHosts.includes(host) || allowedPrivateHosts.includes(`${host}:${url.port}`)) return null;
  return `${host} 是本机或内网地址；如确需推送到内网系统，请由管理员在 YILIAN_SUBSCRIPTION_PRIVATE_HOSTS 中登记该主机`;
}

export function isPrivateHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost') || host === '') return true;
  const v4 = host.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (host.includes(':')) {
    if (host === '::' || host === '::1') return true;
    const mapped = host.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
    if (mapped) return isPrivateHost(mapped[1]!);
    const first = parseInt(host.split(':')[0] || '0', 16);
    return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
  }
  return false;
}
