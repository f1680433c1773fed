import { Alert, Card, Flex, Input, Typography } from 'antd';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FacilityTier } from '../../../contracts/codes.js';
import type { CatalogueCheckResult } from '../../../contracts/ui.js';
import { errorText } from '../../lib/errors.js';
import { isIcd10Code, rangeText } from './alliance-admin.model.js';
import { useCatalogueCheck } from './network.api.js';

interface Props {
  tier: FacilityTier;
  /** With an alliance, its own entries are consulted first (GET /api/v1/catalogue/check?allianceId=). */
  allianceId: string | null;
  /** Controls beside the code box (an alliance or tier picker, a note). */
  controls?: ReactNode;
  /** id of the code box. */
  inputId?: string;
}

/**
 * "May this tier treat this ICD-10 code?" — a code box and the answer, which says which entry decided and whether it
 * was the alliance's own or the default catalogue's. Used on the facility page and the alliance page. The answer is
 * a query, so it follows a change of tier or alliance and refreshes when the catalogue is edited.
 */
export function CatalogueCheck({ tier, allianceId, controls, inputId = 'icd10' }: Props) {
  const { t } = useTranslation();
  const [code, setCode] = useState<string | null>(null);
  const [formatError, setFormatError] = useState<string | null>(null);
  const check = useCatalogueCheck(tier, code, allianceId);

  const submit = (value: string) => {
    const v = value.trim().toUpperCase();
    if (!v) {
      setCode(null);
      setFormatError(null);
      return;
    }
    if (!isIcd10Code(v)) {
      setCode(null);
      setFormatError(t('catalogue.badCode'));
      return;
    }
    setFormatError(null);
    setCode(v);
  };

  return (
    <Card size="small" className="catalogue-check">
      <Typography.Text strong>{t('catalogue.checkTitle')}</Typography.Text>
      <Flex gap={12} wrap align="center" style={{ marginTop: 8 }}>
        <Input.Search
          id={inputId}
          placeholder={t('catalogue.checkPlaceholder')}
          enterButton={t('catalogue.check')}
          onSearch={submit}
          loading={check.isFetching}
          style={{ width: 340 }}
          allowClear
          status={formatError ? 'error' : undefined}
        />
        {controls}
      </Flex>
      {formatError && <Alert type="warning" showIcon title={formatError} style={{ marginTop: 12 }} />}
      {code && check.isError && <Alert type="error" showIcon title={errorText(check.error, t)} style={{ marginTop: 12 }} />}
      {code && check.data && <CheckResult result={check.data} code={code} tier={tier} />}
    </Card>
  );
}

function CheckResult({ result, code, tier }: { result: CatalogueCheckResult; code: string; tier: FacilityTier }) {
  const { t } = useTranslation();
  const tierName = t(`tier.${tier}`);
  return (
    <Alert
      style={{ marginTop: 12 }}
      type={result.covered ? 'success' : 'warning'}
      showIcon
      title={result.covered ? t('catalogue.covered', { code, tier: tierName }) : t('catalogue.notCovered', { code, tier: tierName })}
      description={
        <>
          {result.entry && (
            <div>
              {t('catalogue.matchedEntry', {
                range: rangeText(result.entry),
                label: result.entry.label,
                effect: t(`catalogueEffect.${result.entry.effect}`),
              })}
            </div>
          )}
          <div>{result.fromOverride ? t('catalogue.fromOverride') : result.entry ? t('catalogue.fromDefault') : t('catalogue.noEntry')}</div>
          {!result.covered && <div>{t('catalogue.referHint')}</div>}
        </>
      }
    />
  );
}
