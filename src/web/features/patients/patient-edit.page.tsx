import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Card, Form } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import type { PatientDto, PatientInput } from '../../../contracts/patient.js';
import { isApiError } from '../../api/client.js';
import { PageHeader } from '../../components/page-header.js';
import { Loading, QueryError } from '../../components/query-state.js';
import { errorText } from '../../lib/errors.js';
import { DuplicateAlert, type DuplicateOutcome, PossibleDuplicatesModal, readDuplicateOutcome } from './duplicates.js';
import { fromPatient } from './patient-form.model.js';
import { PatientForm, type PatientFormState, showFieldError } from './patient-form.js';
import { patientKeys, updatePatient, usePatient } from './patients.api.js';

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
  const [outcome, setOutcome] = useState<DuplicateOutcome | null>(null);
  const [lastInput, setLastInput] = useState<PatientInput | null>(null);
  const [generalError, setGeneralError] = useState<string | null>(null);
  const detailPath = `/patients/${encodeURIComponent(patient.id)}`;

  const save = useMutation({
    mutationFn: (input: PatientInput) => updatePatient(patient.id, input, patient.version),
    onSuccess: (p) => {
      queryClient.setQueryData(patientKeys.detail(p.id), p);
      void queryClient.invalidateQueries({ queryKey: ['patients', 'list'] });
      void message.success(t('patient.saved', { name: p.name }));
      void navigate(detailPath, { replace: true });
    },
    onError: (error) => {
      const dup = readDuplicateOutcome(error);
      if (dup) {
        setOutcome(dup);
        return;
      }
      const text = errorText(error, t);
      if (isApiError(error) && error.status === 400 && showFieldError(form, error.path, text)) return;
      setGeneralError(text);
      window.scrollTo({ top: 0, behavior: 'smooth' });
    },
  });

  const submit = (input: PatientInput) => {
    if (!input.confirmNotDuplicate) setOutcome(null);
    setGeneralError(null);
    setLastInput(input);
    save.mutate(input);
  };

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
        pending={save.isPending}
        onSubmit={submit}
        onCancel={() => void navigate(detailPath)}
        banner={
          <>
            {outcome?.kind === 'duplicate' && <DuplicateAlert outcome={outcome} onClose={() => setOutcome(null)} />}
            {generalError && (
              <Alert type="error" showIcon className="form-banner" title={generalError} closable={{ onClose: () => setGeneralError(null) }} />
            )}
          </>
        }
      />
      <PossibleDuplicatesModal
        outcome={outcome?.kind === 'suggestions' ? outcome : null}
        pending={save.isPending}
        onClose={() => setOutcome(null)}
        onConfirmDifferent={() => {
          if (lastInput) submit({ ...lastInput, confirmNotDuplicate: true });
        }}
      />
    </div>
  );
}
