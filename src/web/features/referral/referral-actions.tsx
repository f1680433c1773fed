import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Empty, Flex, Form, Input, Modal, Radio, Select, Skeleton, Typography } from 'antd';
import type { ButtonProps } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { holdReasons } from '../../../contracts/codes.js';
import type { ReferralDto } from '../../../contracts/referral.js';
import { FormModal } from '../../components/form-modal.js';
import { OrganizationSelect } from '../../components/organization-select.js';
import { QueryError } from '../../components/query-state.js';
import { errorText } from '../../lib/errors.js';
import { shanghaiDate, shanghaiDayRange } from '../../lib/format.js';
import { useFormMutation } from '../network/use-form-mutation.js';
import { useOrganization } from '../network/network.api.js';
import { bookBed, bookSlot, referralChanged, resendReferral, slotLimit, transitionReferral, useBedPools, useSlots } from './referral.api.js';
import {
  actionForms, addDays, groupSlotsByDay, parseTransition, shanghaiTime, type TransitionAction, type TransitionValues, transitionFields, weekday,
} from './referral.model.js';

/** The dialog of a transition that asks for something (a reason, a hold reason, a destination, a summary). */
export function TransitionModal({ referral, action, onClose }: { referral: ReferralDto; action: TransitionAction | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<TransitionValues>();
  const current = action ?? 'reject';
  const spec = actionForms[current] ?? {};
  const { submit, modalProps } = useFormMutation({
    form,
    fields: transitionFields,
    parse: (v: TransitionValues) => parseTransition(current, v, referral.version, t('referral.action.required')),
    send: (body) => transitionReferral(referral.id, body),
    onDone: async (r) => {
      await referralChanged(queryClient, r);
      void message.success(t('referral.action.done', { action: t(`referralActionName.${current}`) }));
      onClose();
    },
  });
  return (
    <FormModal
      open={action !== null}
      title={t(`referral.action.title.${current}`, { number: referral.number })}
      okText={t(`referralActionName.${current}`)}
      danger={spec.danger}
      onClose={onClose}
      {...modalProps}
    >
      <Form<TransitionValues> form={form} layout="vertical" preserve={false} onFinish={submit}>
        {spec.destination && (
          <Form.Item name="destinationOrganizationId" label={t('referral.action.newDestination')} rules={[{ required: true, message: t('referral.action.required') }]}>
            <OrganizationSelect style={{ width: '100%' }} />
          </Form.Item>
        )}
        {spec.holdReason && (
          <Form.Item name="holdReason" label={t('referral.action.holdReason')} rules={[{ required: true, message: t('referral.action.required') }]}>
            <Select options={holdReasons.map((h) => ({ value: h, label: t(`holdReason.${h}`) }))} placeholder={t('referral.action.holdReasonPlaceholder')} />
          </Form.Item>
        )}
        {spec.reason && (
          <Form.Item name="reason" label={t('referral.action.reason')} rules={[{ required: true, whitespace: true, message: t('referral.action.required') }]}>
            <Input.TextArea rows={3} maxLength={1000} showCount placeholder={t(`referral.action.reasonPlaceholder.${current}`)} data-testid="transition-reason" />
          </Form.Item>
        )}
        {spec.summary && (
          <Form.Item
            name="summary"
            label={t('referral.action.summary')}
            extra={t('referral.action.summaryHint')}
            rules={[{ required: true, whitespace: true, message: t('referral.action.required') }]}
          >
            <Input.TextArea rows={6} maxLength={8000} showCount placeholder={t('referral.action.summaryPlaceholder')} data-testid="transition-summary" />
          </Form.Item>
        )}
        {current === 'hold' && <Typography.Text type="secondary">{t('referral.action.holdNote')}</Typography.Text>}
      </Form>
    </FormModal>
  );
}

interface ResendValues {
  destinationOrganizationId?: string | null;
  overrideReason?: string;
}

/** A rejected referral sent again, to another facility: a new referral with this one's content. */
export function ResendModal({ referral, open, onClose, onSent }: { referral: ReferralDto; open: boolean; onClose: () => void; onSent: (r: ReferralDto) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<ResendValues>();
  const fields = ['destinationOrganizationId', 'overrideReason'] as const;
  const { submit, modalProps } = useFormMutation({
    form,
    fields,
    parse: (v: ResendValues) =>
      v.destinationOrganizationId
        ? { ok: true as const, value: { destinationOrganizationId: v.destinationOrganizationId, overrideReason: v.overrideReason?.trim() || undefined } }
        : { ok: false as const, errors: [{ name: 'destinationOrganizationId' as const, errors: [t('referral.action.required')] }] },
    send: (body) => resendReferral(referral.id, body),
    onDone: async (r) => {
      await referralChanged(queryClient, r);
      void message.success(t('referral.action.resent', { number: r.number }));
      onClose();
      onSent(r);
    },
  });
  return (
    <FormModal open={open} title={t('referral.action.title.resend', { number: referral.number })} okText={t('referralActionName.resend')} onClose={onClose} {...modalProps}>
      {referral.rejectionReason && <Alert type="info" showIcon title={t('referral.rejectionReason')} description={referral.rejectionReason} style={{ marginBottom: 16 }} />}
      <Form<ResendValues> form={form} layout="vertical" preserve={false} onFinish={submit}>
        <Form.Item name="destinationOrganizationId" label={t('referral.action.newDestination')} rules={[{ required: true, message: t('referral.action.required') }]}>
          <OrganizationSelect style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="overrideReason" label={t('referral.form.overrideReason')} extra={t('referral.action.resendHint')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

const weekdayKeys = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/**
 * Book one of the slots the destination reserved for referrals (or has released): a week at a time, days as columns,
 * departments within a day, times as buttons. A slot someone else took meanwhile is refused (409) and the week reloads.
 */
export function BookSlotModal({ referral, open, onClose }: { referral: ReferralDto; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const today = shanghaiDate();
  const [start, setStart] = useState(today);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The referral's department when it names one; otherwise all departments (a busy hospital: pick one to see a whole week).
  const [departmentId, setDepartmentId] = useState<string>(referral.destinationDepartment?.id ?? '');
  const destination = useOrganization(open ? referral.destination.id : undefined);
  const end = addDays(start, 6);
  const range = shanghaiDayRange(start, end);
  const slots = useSlots(referral.id, referral.destination.id, departmentId, range.from, range.to, open);
  const truncated = (slots.data?.length ?? 0) >= slotLimit;
  const days = useMemo(() => groupSlotsByDay(slots.data ?? []), [slots.data]);
  const week = Array.from({ length: 7 }, (_, i) => addDays(start, i));
  const mutation = useMutation({
    mutationFn: (slotId: string) => bookSlot(referral.id, slotId),
    onSuccess: async (r) => {
      await referralChanged(queryClient, r);
      void message.success(t('referral.booking.booked'));
      close();
    },
    onError: (e) => {
      setError(errorText(e, t));
      setSelected(null);
      void slots.refetch();
    },
  });
  const close = () => {
    setSelected(null);
    setError(null);
    mutation.reset();
    onClose();
  };
  return (
    <Modal
      open={open}
      title={t('referral.booking.slotTitle', { org: referral.destination.name })}
      width={1080}
      onCancel={close}
      onOk={() => selected && mutation.mutate(selected)}
      okText={t('referral.booking.confirm')}
      okButtonProps={{ disabled: !selected, 'data-testid': 'book-slot-ok' } as ButtonProps}
      cancelText={t('common.cancel')}
      confirmLoading={mutation.isPending}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} closable={{ onClose: () => setError(null) }} style={{ marginBottom: 12 }} data-testid="booking-error" />}
      <Flex gap={8} align="center" style={{ marginBottom: 12 }}>
        <Typography.Text type="secondary">{t('referral.booking.department')}</Typography.Text>
        <Select
          value={departmentId}
          onChange={(v: string) => {
            setDepartmentId(v);
            setSelected(null);
          }}
          loading={destination.isPending}
          options={[
            { value: '', label: t('referral.booking.allDepartments') },
            ...(destination.data?.departments ?? []).map((d) => ({ value: d.id, label: d.name })),
          ]}
          showSearch={{ optionFilterProp: 'label' }}
          style={{ width: 240 }}
          data-testid="slot-department"
        />
      </Flex>
      {truncated && <Alert type="info" showIcon title={t('referral.booking.truncated', { count: slotLimit })} style={{ marginBottom: 12 }} />}
      <Flex justify="space-between" align="center" style={{ marginBottom: 12 }}>
        <Button icon={<LeftOutlined />} disabled={start <= today} onClick={() => setStart(addDays(start, -7) < today ? today : addDays(start, -7))}>
          {t('referral.booking.prevWeek')}
        </Button>
        <Typography.Text strong>
          {start} ~ {end}
        </Typography.Text>
        <Button onClick={() => setStart(addDays(start, 7))}>
          {t('referral.booking.nextWeek')} <RightOutlined />
        </Button>
      </Flex>
      {slots.isError ? (
        <QueryError error={slots.error} onRetry={() => void slots.refetch()} />
      ) : slots.isPending ? (
        <Skeleton active paragraph={{ rows: 6 }} />
      ) : days.length === 0 ? (
        <Empty description={t('referral.booking.noSlots')} />
      ) : (
        <div className="slot-week">
          {week.map((day) => {
            const d = days.find((x) => x.day === day);
            return (
              <div key={day} className="slot-day" data-testid={`slot-day-${day}`}>
                <div className="slot-day-head">
                  <div className="strong">{t(`weekday.${weekdayKeys[weekday(day)] ?? 'mon'}`)}</div>
                  <div className="cell-sub">{day.slice(5)}</div>
                </div>
                {!d ? (
                  <div className="muted slot-none">{t('referral.booking.none')}</div>
                ) : (
                  d.departments.map((dep) => (
                    <div key={dep.departmentId} className="slot-dept">
                      <div className="cell-sub slot-dept-name" title={dep.departmentName}>
                        {dep.departmentName}
                      </div>
                      <Flex wrap gap={4}>
                        {dep.slots.map((s) => (
                          <Button
                            key={s.id}
                            size="small"
                            type={selected === s.id ? 'primary' : 'default'}
                            onClick={() => setSelected(s.id)}
                            data-testid={`slot-${s.id}`}
                            className="slot-button"
                            title={`${s.scheduleName}${s.reservedNow ? ` · ${t('referral.booking.reserved')}` : ''}`}
                          >
                            {shanghaiTime(s.start)}
                          </Button>
                        ))}
                      </Flex>
                    </div>
                  ))
                )}
              </div>
            );
          })}
        </div>
      )}
      <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
        {t('referral.booking.slotHint')}
      </Typography.Paragraph>
    </Modal>
  );
}

/** Reserve a bed in one of the destination's bed pools for a day; the answer carries the admission notice number. */
export function BookBedModal({ referral, open, onClose }: { referral: ReferralDto; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const pools = useBedPools(referral.destination.id, open);
  const [poolId, setPoolId] = useState<string | null>(null);
  const [day, setDay] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const today = shanghaiDate();
  const pool = pools.data?.find((p) => p.id === poolId);
  const mutation = useMutation({
    mutationFn: () => bookBed(referral.id, poolId ?? '', day ?? ''),
    onSuccess: async (r) => {
      await referralChanged(queryClient, r);
      void message.success(t('referral.booking.bedBooked', { notice: r.booking?.admissionNoticeNumber ?? '' }));
      close();
    },
    onError: (e) => {
      setError(errorText(e, t));
      void pools.refetch();
    },
  });
  const close = () => {
    setPoolId(null);
    setDay(null);
    setError(null);
    mutation.reset();
    onClose();
  };
  return (
    <Modal
      open={open}
      title={t('referral.booking.bedTitle', { org: referral.destination.name })}
      width={720}
      onCancel={close}
      onOk={() => mutation.mutate()}
      okText={t('referral.booking.confirmBed')}
      okButtonProps={{ disabled: !poolId || !day }}
      cancelText={t('common.cancel')}
      confirmLoading={mutation.isPending}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} closable={{ onClose: () => setError(null) }} style={{ marginBottom: 12 }} />}
      {pools.isError ? (
        <QueryError error={pools.error} onRetry={() => void pools.refetch()} />
      ) : pools.isPending ? (
        <Skeleton active />
      ) : (pools.data ?? []).length === 0 ? (
        <Empty description={t('referral.booking.noBedPools')} />
      ) : (
        <Flex vertical gap={16}>
          <Radio.Group
            value={poolId}
            onChange={(e) => {
              setPoolId(e.target.value as string);
              setDay(null);
            }}
          >
            <Flex vertical gap={8}>
              {pools.data?.map((p) => {
                const free = p.days.filter((d) => d.day >= today).reduce((a, d) => a + d.free, 0);
                return (
                  <Radio key={p.id} value={p.id} disabled={free === 0}>
                    {p.name}
                    {p.departmentName && p.departmentName !== p.name ? <span className="option-sub"> · {p.departmentName}</span> : null}
                    <span className="option-sub"> · {t('referral.booking.freeBedDays', { count: free })}</span>
                  </Radio>
                );
              })}
            </Flex>
          </Radio.Group>
          {pool && (
            <Card size="small" title={t('referral.booking.admissionDay')}>
              <Flex wrap gap={6}>
                {pool.days
                  .filter((d) => d.day >= today)
                  .map((d) => (
                    <Button key={d.day} size="small" disabled={d.free <= 0} type={day === d.day ? 'primary' : 'default'} onClick={() => setDay(d.day)}>
                      {d.day.slice(5)} · {t('referral.booking.freeBeds', { count: d.free })}
                    </Button>
                  ))}
              </Flex>
            </Card>
          )}
        </Flex>
      )}
    </Modal>
  );
}
