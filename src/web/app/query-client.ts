import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { isApiError } from '../api/client.js';
import { meKey } from '../features/auth/auth.api.js';

/**
 * One QueryClient for the app. A 401 from any request means the session has ended (expired, signed out in another
 * tab, account locked): forget the user, and the auth guard sends the browser to the sign-in page.
 */
export function createQueryClient(): QueryClient {
  const onError = (error: unknown) => {
    if (isApiError(error) && error.status === 401 && queryClient.getQueryData(meKey)) queryClient.setQueryData(meKey, null);
  };
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        // A 4xx will not change on retry; a dropped connection or a 5xx might.
        retry: (count, error) => !(isApiError(error) && error.status >= 400 && error.status < 500) && count < 2,
        refetchOnWindowFocus: false,
        staleTime: 30_000,
      },
      mutations: { retry: false },
    },
  });
  return queryClient;
}
