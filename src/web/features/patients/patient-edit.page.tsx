import { useQueryClient } from '@tanstack/react-query';
import { App, Card, Form } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import type { PatientDto, PatientInput } from '../../../contracts/patient.js';
import { PageHeader } from '../../components/page-header.js';
import { Loading, QueryError } from '../../components/query-state.js';
import { fromPatient } from './patient-form.model.js';
import { PatientForm, type PatientFormState } from './patient-form.js';
import { PatientSaveBanner, PatientSaveDuplicates } from './patient-save-feedback.js';
import { patientKeys, updatePatient, usePatient } from './patients.api.js';
import { usePatientSave } from './use-patient-save.js';

export function PatientEditPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const patient = usePatient(id);
  if (patient.isPending) return <Loading height={400} />;
  if (patient.isError)
    return (
      <div className="page">
        <Card variant="borderless">
          <QueryError error={patient.error} onRetry={() => void patient.refetch()} />
        </Card>
      </div>
    );
  return <PatientEdit key={`${patient.data.id}:${patient.data.version}`} patient={patient.data} title={t('patient.editTitle')} />;
}

function PatientEdit({ patient, title }: { patient: PatientDto; title: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<PatientFormState>();
  const detailPath = `/patients/${encodeURIComponent(patient.id)}`;
  const save = usePatientSave({
    form,
    save: (input: PatientInput) => updatePatient(patient.id, input, patient.version),
    onSaved: (p) => {
      queryClient.setQueryData(patientKeys.detail(p.id), p);
      void queryClient.invalidateQueries({ queryKey: ['patients', 'list'] });
      void message.success(t('patient.saved', { name: p.name }));
      void navigate(detailPath, { replace: true });
    },
  });

  return (
    <div className="page">
      <PageHeader
        title={title}
        subtitle={patient.name}
        crumbs={[{ title: t('nav.patients'), path: '/patients' }, { title: patient.name, path: detailPath }, { title: t('common.edit') }]}
      />
      <PatientForm
        form={form}
        initialValues={fromPatient(patient)}
        submitText={t('common.save')}
        pending={save.pending}
        onSubmit={save.submit}
        onCancel={() => void navigate(detailPath)}
        banner={<PatientSaveBanner save={save} />}
      />
      <PatientSaveDuplicates save={save} />
    </div>
  );
}
