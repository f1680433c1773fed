import { useQueryClient } from '@tanstack/react-query';
import { App, Form, Input, Radio, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import type { AllianceDto, CatalogueOverrideInput } from '../../../contracts/network.js';
import { FormModal } from '../../components/form-modal.js';
import { catalogueEffects, facilityTiers } from '../../../contracts/codes.js';
import { type OverrideValues, overrideFields, parseOverride, rangeText } from './alliance-admin.model.js';
import { addCatalogueOverride, invalidateCatalogue } from './network.api.js';
import { useFormMutation } from './use-form-mutation.js';

/**
 * Adds one of the alliance's own catalogue entries for a tier: an inclusion (the tier may treat it here) or an
 * exclusion (it goes up a tier here), consulted before the default catalogue (docs/tier-catalogue.md).
 */
export function CatalogueOverrideModal({ alliance, open, onClose }: { alliance: AllianceDto; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<OverrideValues>();
  const { submit, modalProps } = useFormMutation({
    form,
    fields: overrideFields,
    parse: (v: OverrideValues) => parseOverride(v, t('allianceCatalogue.rangeInvalid')),
    send: (input: CatalogueOverrideInput) => addCatalogueOverride(alliance.id, input),
    onDone: async (entry) => {
      await invalidateCatalogue(queryClient);
      void message.success(t('allianceCatalogue.added', { range: rangeText(entry), label: entry.label }));
      onClose();
    },
  });

  return (
    <FormModal
      open={open}
      title={t('allianceCatalogue.addTitle', { alliance: alliance.name })}
      okText={t('allianceCatalogue.add')}
      onClose={onClose}
      width={620}
      {...modalProps}
    >
      <Form<OverrideValues> form={form} layout="vertical" preserve={false} initialValues={{ effect: 'include' }} onFinish={submit}>
        <Form.Item name="tier" label={t('allianceCatalogue.tier')} extra={t('allianceCatalogue.tierHint')} rules={[{ required: true, message: t('allianceCatalogue.tierRequired') }]}>
          <Select id="override-tier" placeholder={t('allianceCatalogue.tierPlaceholder')} options={facilityTiers.map((tier) => ({ value: tier, label: t(`tier.${tier}`) }))} />
        </Form.Item>
        <Form.Item
          name="range"
          label={t('catalogue.range')}
          extra={t('allianceCatalogue.rangeHint')}
          rules={[{ required: true, whitespace: true, message: t('allianceCatalogue.rangeRequired') }, { max: 20 }]}
        >
          <Input id="override-range" placeholder={t('allianceCatalogue.rangePlaceholder')} maxLength={20} autoComplete="off" />
        </Form.Item>
        <Form.Item name="effect" label={t('catalogue.effect')} rules={[{ required: true }]}>
          <Radio.Group
            options={catalogueEffects.map((effect) => ({
              value: effect,
              label: `${t(`catalogueEffect.${effect}`)} · ${t(`allianceCatalogue.effectHint.${effect}`)}`,
            }))}
            style={{ display: 'flex', flexDirection: 'column', gap: 6 }}
          />
        </Form.Item>
        <Form.Item name="label" label={t('catalogue.label')} rules={[{ required: true, whitespace: true, message: t('allianceCatalogue.labelRequired') }, { max: 100 }]}>
          <Input id="override-label" placeholder={t('allianceCatalogue.labelPlaceholder')} maxLength={100} autoComplete="off" />
        </Form.Item>
        <Form.Item name="note" label={t('allianceCatalogue.note')} rules={[{ max: 500 }]}>
          <Input.TextArea id="override-note" rows={2} maxLength={500} showCount placeholder={t('allianceCatalogue.notePlaceholder')} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
