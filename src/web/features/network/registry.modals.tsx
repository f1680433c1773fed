import { useQueryClient } from '@tanstack/react-query';
import { App, AutoComplete, DatePicker, Form, Input, InputNumber, Radio, Select, Switch } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { practitionerTitles, professions, sexes } from '../../../contracts/codes.js';
import type { DepartmentDto, OrganizationDto, PractitionerDto } from '../../../contracts/network.js';
import { assignmentKinds } from '../../../contracts/network.js';
import { FormModal } from '../../components/form-modal.js';
import { OrganizationSelect } from '../../components/organization-select.js';
import { shanghaiDate } from '../../lib/format.js';
import { useDebounced } from '../../lib/use-debounced.js';
import {
  addDepartment, addPairing, addPractitionerRole, createPractitioner, invalidateRegistry, updatePractitioner, usePractitioners,
} from './network.api.js';
import {
  assignmentFields, departmentFields, pairingFields, parseAssignment, parseDepartment, parsePairing, parsePractitioner,
  parsePractitionerEdit, practitionerEditFields, practitionerFields, type AssignmentValues, type DepartmentValues, type PairingValues,
  type PractitionerEditValues, type PractitionerValues,
} from './registry.model.js';
import { useFormMutation } from './use-form-mutation.js';

/**
 * The facility registry dialogs: 新增科室, 新增人员 / 编辑人员, 新增派驻/巡回, 新增对口帮扶. Each sends one request; the
 * server decides who may (a 403 is shown above the form in its own words) and refuses duplicates and overlaps (409).
 */

const iso = (d: Dayjs | null | undefined): string | null => (d ? d.format('YYYY-MM-DD') : null);

interface Props {
  organization: OrganizationDto;
  open: boolean;
  onClose: () => void;
}

const departmentOptions = (departments: readonly DepartmentDto[]) => departments.map((d) => ({ value: d.id, label: `${d.name}（${d.code}）` }));

export function DepartmentModal({ organization, open, onClose }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<DepartmentValues>();
  const { submit, modalProps } = useFormMutation({
    form,
    fields: departmentFields,
    parse: parseDepartment,
    send: (input) => addDepartment(organization.id, input),
    onDone: async (d) => {
      await invalidateRegistry(queryClient);
      void message.success(t('registry.departmentAdded', { name: d.name }));
      onClose();
    },
  });
  return (
    <FormModal open={open} title={t('registry.addDepartmentTitle', { org: organization.name })} okText={t('common.save')} onClose={onClose} {...modalProps}>
      <Form<DepartmentValues> form={form} layout="vertical" preserve={false} initialValues={{ beds: 0, isTcm: false }} onFinish={submit}>
        <Form.Item name="code" label={t('dept.code')} rules={[{ required: true, whitespace: true, message: t('registry.required') }]}>
          <Input id="dept-code" maxLength={20} />
        </Form.Item>
        <Form.Item name="name" label={t('dept.name')} rules={[{ required: true, whitespace: true, message: t('registry.required') }]}>
          <Input id="dept-name" maxLength={50} />
        </Form.Item>
        <Form.Item name="specialty" label={t('dept.specialty')} extra={t('registry.specialtyHint')} rules={[{ required: true, whitespace: true, message: t('registry.required') }]}>
          <SpecialtyInput id="dept-specialty" />
        </Form.Item>
        <Form.Item name="beds" label={t('dept.beds')}>
          <InputNumber id="dept-beds" min={0} max={5000} precision={0} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="isTcm" label={t('dept.tcm')} valuePropName="checked">
          <Switch id="dept-isTcm" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

export function PractitionerModal({ organization, departments, open, onClose }: Props & { departments: readonly DepartmentDto[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<PractitionerValues>();
  const { submit, modalProps } = useFormMutation({
    form,
    fields: practitionerFields,
    parse: (v: PractitionerValues) => parsePractitioner(organization.id, v),
    send: createPractitioner,
    onDone: async (p) => {
      await invalidateRegistry(queryClient);
      void message.success(t('registry.practitionerAdded', { name: p.name }));
      onClose();
    },
  });
  const required = [{ required: true, message: t('registry.required') }];
  return (
    <FormModal open={open} title={t('registry.addPractitionerTitle', { org: organization.name })} okText={t('common.save')} onClose={onClose} width={680} {...modalProps}>
      <Form<PractitionerValues>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ sex: 'male', profession: 'physician', title: 'junior' }}
        onFinish={submit}
      >
        <Form.Item name="identifier" label={t('staff.identifier')} rules={[{ required: true, whitespace: true, message: t('registry.required') }]}>
          <Input id="practitioner-identifier" maxLength={40} />
        </Form.Item>
        <Form.Item name="name" label={t('staff.name')} rules={[{ required: true, whitespace: true, message: t('registry.required') }]}>
          <Input id="practitioner-name" maxLength={30} />
        </Form.Item>
        <Form.Item name="sex" label={t('staff.sex')} rules={required}>
          <Radio.Group options={sexes.map((s) => ({ value: s, label: t(`sex.${s}`) }))} />
        </Form.Item>
        <Form.Item name="profession" label={t('staff.profession')} rules={required}>
          <Select id="practitioner-profession" options={professions.map((p) => ({ value: p, label: t(`profession.${p}`) }))} style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="title" label={t('staff.title')} rules={required}>
          <Select id="practitioner-title" options={practitionerTitles.map((x) => ({ value: x, label: t(`title.${x}`) }))} style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="specialty" label={t('staff.specialty')} rules={[{ required: true, whitespace: true, message: t('registry.required') }]}>
          <SpecialtyInput id="practitioner-specialty" />
        </Form.Item>
        <Form.Item name="departmentId" label={t('staff.department')}>
          <Select id="practitioner-department" allowClear options={departmentOptions(departments)} placeholder={t('registry.noDepartment')} />
        </Form.Item>
        <Form.Item name="phone" label={t('staff.phone')}>
          <Input id="practitioner-phone" maxLength={30} />
        </Form.Item>
        <Form.Item name="practiceStartYear" label={t('registry.practiceStartYear')}>
          <InputNumber id="practitioner-practiceStartYear" min={1950} max={2100} precision={0} style={{ width: 160 }} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

/** Edits title, department, phone and whether the practitioner is still in post. Keyed by practitioner for fresh values. */
export function PractitionerEditModal({ practitioner, departments, open, onClose }: { practitioner: PractitionerDto | null; departments: readonly DepartmentDto[]; open: boolean; onClose: () => void }) {
  return practitioner ? <PractitionerEditDialog key={practitioner.id} practitioner={practitioner} departments={departments} open={open} onClose={onClose} /> : null;
}

function PractitionerEditDialog({ practitioner, departments, open, onClose }: { practitioner: PractitionerDto; departments: readonly DepartmentDto[]; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<PractitionerEditValues>();
  const { submit, modalProps } = useFormMutation({
    form,
    fields: practitionerEditFields,
    parse: parsePractitionerEdit,
    send: (patch) => updatePractitioner(practitioner.id, patch),
    onDone: async (p) => {
      await invalidateRegistry(queryClient);
      void message.success(t('registry.practitionerSaved', { name: p.name }));
      onClose();
    },
  });
  return (
    <FormModal open={open} title={t('registry.editPractitionerTitle', { name: practitioner.name })} okText={t('common.save')} onClose={onClose} {...modalProps}>
      <Form<PractitionerEditValues>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ title: practitioner.title, departmentId: practitioner.departmentId, phone: practitioner.phone, active: practitioner.active }}
        onFinish={submit}
      >
        <Form.Item name="title" label={t('staff.title')} rules={[{ required: true, message: t('registry.required') }]}>
          <Select id="edit-title" options={practitionerTitles.map((x) => ({ value: x, label: t(`title.${x}`) }))} style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="departmentId" label={t('staff.department')}>
          <Select id="edit-department" allowClear options={departmentOptions(departments)} placeholder={t('registry.noDepartment')} />
        </Form.Item>
        <Form.Item name="phone" label={t('staff.phone')}>
          <Input id="edit-phone" maxLength={30} />
        </Form.Item>
        <Form.Item name="active" label={t('registry.active')} valuePropName="checked">
          <Switch id="edit-active" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

/** Pick a practitioner of another facility by name, specialty or licence number (GET /api/v1/practitioners?q=). */
function PractitionerSelect({ id, value, onChange, excludeOrganizationId }: { id?: string; value?: string | null; onChange?: (v: string | null) => void; excludeOrganizationId: string }) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 250);
  const { data, isFetching } = usePractitioners({ q, page: 1, pageSize: 20 }, q.length > 0);
  const options = useMemo(
    () =>
      (data?.items ?? [])
        .filter((p) => p.homeOrganizationId !== excludeOrganizationId)
        .map((p) => ({ value: p.id, label: p.name, title: `${t(`title.${p.title}`)} · ${t(`specialty.${p.specialty}`, { defaultValue: p.specialty })} · ${p.homeOrganizationName}` })),
    [data, excludeOrganizationId, t],
  );
  return (
    <Select<string>
      id={id}
      value={value ?? undefined}
      onChange={(v) => onChange?.(v ?? null)}
      options={options}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      loading={isFetching}
      allowClear
      placeholder={t('registry.practitionerPlaceholder')}
      notFoundContent={isFetching ? t('common.loading') : q ? t('registry.noPractitionerMatch') : t('registry.typeToSearch')}
      style={{ width: '100%' }}
      optionRender={(o) => (
        <span>
          {o.label}
          <span className="option-sub"> · {o.data.title}</span>
        </span>
      )}
    />
  );
}

interface AssignmentState extends Omit<AssignmentValues, 'validFrom' | 'validTo'> {
  validFrom: Dayjs | null;
  validTo: Dayjs | null;
}

/** 新增派驻/巡回: a practitioner of another facility works here for a limited period. */
export function AssignmentModal({ organization, departments, open, onClose }: Props & { departments: readonly DepartmentDto[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<AssignmentState>();
  const today = dayjs(shanghaiDate());
  const { submit, modalProps } = useFormMutation({
    form,
    fields: assignmentFields,
    parse: (v: AssignmentState) => parseAssignment(organization.id, { ...v, validFrom: iso(v.validFrom), validTo: iso(v.validTo) }, t('registry.practitionerRequired')),
    send: ({ practitionerId, input }) => addPractitionerRole(practitionerId, input),
    onDone: async (r) => {
      await invalidateRegistry(queryClient);
      void message.success(t('registry.assignmentAdded', { name: r.practitionerName, from: r.validFrom, to: r.validTo }));
      onClose();
    },
  });
  return (
    <FormModal open={open} title={t('registry.addAssignmentTitle', { org: organization.name })} okText={t('common.save')} onClose={onClose} {...modalProps}>
      <Form<AssignmentState>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ kind: 'stationed', validFrom: today, validTo: today.add(6, 'month') }}
        onFinish={submit}
      >
        <Form.Item name="practitionerId" label={t('registry.practitioner')} extra={t('registry.practitionerHint')} rules={[{ required: true, message: t('registry.practitionerRequired') }]}>
          <PractitionerSelect id="assignment-practitioner" excludeOrganizationId={organization.id} />
        </Form.Item>
        <Form.Item name="kind" label={t('stationed.kind')}>
          <Radio.Group options={assignmentKinds.map((k) => ({ value: k, label: t(`practitionerRoleKind.${k}`) }))} />
        </Form.Item>
        <Form.Item name="departmentId" label={t('staff.department')}>
          <Select id="assignment-department" allowClear options={departmentOptions(departments)} placeholder={t('registry.noDepartment')} />
        </Form.Item>
        <Form.Item name="validFrom" label={t('registry.validFrom')} rules={[{ required: true, message: t('registry.required') }]}>
          <DatePicker id="assignment-validFrom" allowClear={false} style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="validTo" label={t('registry.validTo')} extra={t('registry.validToHint')} rules={[{ required: true, message: t('registry.required') }]}>
          <DatePicker id="assignment-validTo" allowClear={false} style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="note" label={t('stationed.note')} rules={[{ max: 200 }]}>
          <Input.TextArea id="assignment-note" rows={2} maxLength={200} showCount />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

interface PairingState extends Omit<PairingValues, 'validFrom' | 'validTo'> {
  validFrom: Dayjs | null;
  validTo: Dayjs | null;
}

/** 新增对口帮扶: this facility gives support to, or receives it from, a partner facility. */
export function PairingModal({ organization, open, onClose }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<PairingState>();
  const { submit, modalProps } = useFormMutation({
    form,
    fields: pairingFields,
    parse: (v: PairingState) => parsePairing(organization.id, { ...v, validFrom: iso(v.validFrom), validTo: iso(v.validTo) }),
    send: addPairing,
    onDone: async (p) => {
      await invalidateRegistry(queryClient);
      void message.success(t('registry.pairingAdded', { from: p.supportingOrganizationName, to: p.supportedOrganizationName }));
      onClose();
    },
  });
  return (
    <FormModal open={open} title={t('registry.addPairingTitle', { org: organization.name })} okText={t('common.save')} onClose={onClose} {...modalProps}>
      <Form<PairingState>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ direction: 'receives', supportTier: 1, validFrom: dayjs(shanghaiDate()), validTo: null }}
        onFinish={submit}
      >
        <Form.Item name="direction" label={t('pairing.direction')}>
          <Radio.Group options={(['receives', 'gives'] as const).map((d) => ({ value: d, label: t(`registry.direction.${d}`) }))} />
        </Form.Item>
        <Form.Item name="partnerId" label={t('pairing.partner')} rules={[{ required: true, message: t('registry.partnerRequired') }]}>
          <OrganizationSelect id="pairing-partner" style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="supportTier" label={t('pairing.tier')}>
          <Radio.Group options={[1, 2, 3].map((n) => ({ value: n, label: t('pairing.tierN', { n }) }))} />
        </Form.Item>
        <Form.Item name="validFrom" label={t('registry.validFrom')} rules={[{ required: true, message: t('registry.required') }]}>
          <DatePicker id="pairing-validFrom" allowClear={false} style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="validTo" label={t('registry.validTo')} extra={t('registry.pairingValidToHint')}>
          <DatePicker id="pairing-validTo" style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="note" label={t('pairing.note')} rules={[{ max: 200 }]}>
          <Input.TextArea id="pairing-note" rows={2} maxLength={200} showCount />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

/**
 * A specialty code: pick a known one by its name (全科医学 → general-practice) or type another code. Known codes are
 * the keys of the `specialty` section of the translations.
 */
function SpecialtyInput({ id, value, onChange }: { id: string; value?: string; onChange?: (v: string) => void }) {
  const { t, i18n } = useTranslation();
  const known = Object.keys((i18n.getResourceBundle(i18n.resolvedLanguage ?? 'zh-CN', 'translation') as { specialty?: Record<string, string> }).specialty ?? {});
  const options = known.map((code) => ({ value: code, label: `${t(`specialty.${code}`)}（${code}）` }));
  return (
    <AutoComplete
      id={id}
      value={value}
      onChange={onChange}
      options={options}
      maxLength={50}
      filterOption={(input, option) => `${option?.label ?? ''}`.toLowerCase().includes(input.toLowerCase())}
    />
  );
}
