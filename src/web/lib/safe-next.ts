/**
 * Where to go after sign-in. Only a path of this site may follow (`/patients?q=张`); anything else — another
 * origin (`//evil.example`, `https://…`), a backslash trick, or the sign-in page itself — goes home. Stops an open
 * redirect through `/login?next=`.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/';
  if (next === '/login' || next.startsWith('/login?') || next.startsWith('/login/')) return '/';
  return next;
}
