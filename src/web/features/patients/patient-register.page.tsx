import { useQueryClient } from '@tanstack/react-query';
import { App, Form } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { PageHeader } from '../../components/page-header.js';
import { RequireFeature } from '../../app/require-auth.js';
import { PatientForm, type PatientFormState } from './patient-form.js';
import { PatientSaveBanner, PatientSaveDuplicates } from './patient-save-feedback.js';
import { createPatient, patientKeys } from './patients.api.js';
import { usePatientSave } from './use-patient-save.js';

export function PatientRegisterPage() {
  return (
    <RequireFeature feature="registerPatient">
      <PatientRegister />
    </RequireFeature>
  );
}

/** Register a resident: refuses a known ID number, and asks before registering someone who looks already known. */
function PatientRegister() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<PatientFormState>();
  const save = usePatientSave({
    form,
    save: createPatient,
    scrollToDuplicate: true,
    onSaved: (patient) => {
      void queryClient.invalidateQueries({ queryKey: patientKeys.all });
      queryClient.setQueryData(patientKeys.detail(patient.id), patient);
      void message.success(t('patient.registered', { name: patient.name }));
      void navigate(`/patients/${encodeURIComponent(patient.id)}`, { replace: true });
    },
  });

  return (
    <div className="page">
      <PageHeader
        title={t('nav.patientRegister')}
        subtitle={t('patient.registerSubtitle')}
        crumbs={[{ title: t('nav.patients'), path: '/patients' }, { title: t('nav.patientRegister') }]}
      />
      <PatientForm
        form={form}
        submitText={t('patient.submitRegister')}
        pending={save.pending}
        onSubmit={save.submit}
        onCancel={() => void navigate('/patients')}
        banner={<PatientSaveBanner save={save} />}
      />
      <PatientSaveDuplicates save={save} />
    </div>
  );
}
