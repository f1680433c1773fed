import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, DatePicker, Descriptions, Form, Input, Radio } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { MembershipRole } from '../../../contracts/codes.js';
import { membershipRoles } from '../../../contracts/codes.js';
import type { AllianceDto, MembershipDto } from '../../../contracts/network.js';
import { FormModal } from '../../components/form-modal.js';
import { Period, TierTag } from '../../components/labels.js';
import { OrganizationSelect } from '../../components/organization-select.js';
import { shanghaiDate } from '../../lib/format.js';
import { endFields, joinFields, nextDay, parseEnd, parseJoin } from './alliance-admin.model.js';
import { addMembership, endMembership, invalidateMembership, type MembershipInput } from './network.api.js';
import { useFormMutation } from './use-form-mutation.js';

const iso = (d: Dayjs | null | undefined): string | null => (d ? d.format('YYYY-MM-DD') : null);

interface JoinState {
  organizationId: string | null;
  role: MembershipRole;
  validFrom: Dayjs | null;
  reason?: string;
}

/**
 * 加入医联体: opens a new membership period from a date. An organization that was a member before keeps its old
 * periods; the server refuses (409) a period that overlaps one it already has.
 */
export function JoinAllianceModal({ alliance, open, onClose }: { alliance: AllianceDto; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<JoinState>();
  const today = shanghaiDate();
  const { submit, modalProps } = useFormMutation({
    form,
    fields: joinFields,
    parse: (v: JoinState) => parseJoin({ ...v, validFrom: iso(v.validFrom) }),
    send: (input: MembershipInput) => addMembership(alliance.id, input),
    onDone: async (m) => {
      await invalidateMembership(queryClient, alliance.id);
      void message.success(t('allianceAdmin.joined', { org: m.organizationName, date: m.validFrom }));
      onClose();
    },
  });

  return (
    <FormModal
      open={open}
      title={t('allianceAdmin.joinTitle', { alliance: alliance.name })}
      okText={t('allianceAdmin.join')}
      onClose={onClose}
      {...modalProps}
    >
      <Alert type="info" showIcon title={t('allianceAdmin.joinExplain')} style={{ marginBottom: 16 }} />
      <Form<JoinState>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ organizationId: null, role: 'member', validFrom: dayjs(today < alliance.establishedOn ? alliance.establishedOn : today) }}
        onFinish={submit}
      >
        <Form.Item name="organizationId" label={t('allianceAdmin.organization')} rules={[{ required: true, message: t('allianceAdmin.organizationRequired') }]}>
          <OrganizationSelect id="join-organization" placeholder={t('allianceAdmin.organizationPlaceholder')} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="role" label={t('alliance.role')}>
          <Radio.Group options={membershipRoles.map((r) => ({ value: r, label: t(`membershipRole.${r}`) }))} />
        </Form.Item>
        <Form.Item
          name="validFrom"
          label={t('allianceAdmin.validFrom')}
          extra={t('allianceAdmin.validFromHint', { date: alliance.establishedOn })}
          rules={[{ required: true, message: t('allianceAdmin.validFromRequired') }]}
        >
          <DatePicker id="join-validFrom" allowClear={false} disabledDate={(d) => d.format('YYYY-MM-DD') < alliance.establishedOn} style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="reason" label={t('alliance.reason')} rules={[{ max: 200 }]}>
          <Input.TextArea id="join-reason" rows={2} maxLength={200} showCount placeholder={t('allianceAdmin.joinReasonPlaceholder')} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

interface EndState {
  validTo: Dayjs | null;
  reason?: string;
}

/**
 * 结束成员关系: closes an open period on a date; the period itself stays in the history, so "who belonged on D" is
 * still answered for every day before. The reason is required (contracts/network.ts membershipEndSchema).
 * `membership` stays set while the dialog closes; each membership gets a fresh form (its own earliest end date).
 */
export function EndMembershipModal({ membership, open, onClose }: { membership: MembershipDto | null; open: boolean; onClose: () => void }) {
  return membership ? <EndMembershipDialog key={membership.id} membership={membership} open={open} onClose={onClose} /> : null;
}

function EndMembershipDialog({ membership, open, onClose }: { membership: MembershipDto; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<EndState>();
  const today = shanghaiDate();
  const earliest = nextDay(membership.validFrom);
  const { submit, modalProps } = useFormMutation({
    form,
    fields: endFields,
    parse: (v: EndState) => parseEnd(membership, { ...v, validTo: iso(v.validTo) }, t('allianceAdmin.validToAfterStart', { date: membership.validFrom })),
    send: (body: { validTo: string; reason: string }) => endMembership(membership.id, body),
    onDone: async (m) => {
      await invalidateMembership(queryClient, m.allianceId);
      void message.success(t('allianceAdmin.ended', { org: m.organizationName, date: m.validTo }));
      onClose();
    },
  });

  return (
    <FormModal
      open={open}
      title={t('allianceAdmin.endTitle')}
      okText={t('allianceAdmin.end')}
      danger
      onClose={onClose}
      {...modalProps}
    >
      <Descriptions size="small" column={1} bordered style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('org.name')}>
          {membership.organizationName} <TierTag tier={membership.tier} />
        </Descriptions.Item>
        <Descriptions.Item label={t('alliance.role')}>{t(`membershipRole.${membership.role}`)}</Descriptions.Item>
        <Descriptions.Item label={t('alliance.period')}>
          <Period from={membership.validFrom} to={membership.validTo} />
        </Descriptions.Item>
      </Descriptions>
      <Alert type="info" showIcon title={t('allianceAdmin.endExplain', { from: membership.validFrom })} style={{ marginBottom: 16 }} />
      <Form<EndState>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ validTo: dayjs(today < earliest ? earliest : today) }}
        onFinish={submit}
      >
        <Form.Item
          name="validTo"
          label={t('allianceAdmin.validTo')}
          extra={t('allianceAdmin.validToHint')}
          rules={[{ required: true, message: t('allianceAdmin.validToRequired') }]}
        >
          <DatePicker id="end-validTo" allowClear={false} disabledDate={(d) => d.format('YYYY-MM-DD') < earliest} style={{ width: 200 }} />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('alliance.reason')}
          rules={[{ required: true, whitespace: true, message: t('allianceAdmin.reasonRequired') }, { max: 200 }]}
        >
          <Input.TextArea id="end-reason" rows={2} maxLength={200} showCount placeholder={t('allianceAdmin.endReasonPlaceholder')} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
