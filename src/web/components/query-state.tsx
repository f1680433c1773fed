import { Alert, Button, Flex, Result, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { isApiError } from '../api/client.js';
import { errorText } from '../lib/errors.js';

/** A page-level failure: 403 and 404 as full results, anything else as an alert with a retry. */
export function QueryError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const text = errorText(error, t);
  if (isApiError(error) && (error.status === 403 || error.status === 404)) {
    return (
      <Result
        status={error.status === 403 ? '403' : '404'}
        title={error.status === 403 ? t('error.forbiddenTitle') : t('error.notFoundTitle')}
        subTitle={text}
        extra={
          <Link to="/">
            <Button type="primary">{t('common.backHome')}</Button>
          </Link>
        }
      />
    );
  }
  return (
    <Alert
      type="error"
      showIcon
      title={t('error.loadFailed')}
      description={text}
      action={onRetry && <Button onClick={onRetry}>{t('common.retry')}</Button>}
    />
  );
}

/** Centered spinner for a page or a panel that has nothing to show yet. */
export function Loading({ tip, height = 240 }: { tip?: string; height?: number }) {
  const { t } = useTranslation();
  return (
    <Flex align="center" justify="center" style={{ minHeight: height }}>
      <Spin size="large" description={tip ?? t('common.loading')} />
    </Flex>
  );
}
