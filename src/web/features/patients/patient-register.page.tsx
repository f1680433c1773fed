import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Form } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { PatientInput } from '../../../contracts/patient.js';
import { PageHeader } from '../../components/page-header.js';
import { RequireFeature } from '../../app/require-auth.js';
import { isApiError } from '../../api/client.js';
import { errorText } from '../../lib/errors.js';
import { DuplicateAlert, type DuplicateOutcome, PossibleDuplicatesModal, readDuplicateOutcome } from './duplicates.js';
import { PatientForm, type PatientFormState, showFieldError } from './patient-form.js';
import { createPatient, patientKeys } from './patients.api.js';

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
  const [outcome, setOutcome] = useState<DuplicateOutcome | null>(null);
  const [lastInput, setLastInput] = useState<PatientInput | null>(null);
  const [generalError, setGeneralError] = useState<string | null>(null);

  const create = useMutation({
    mutationFn: createPatient,
    onSuccess: (patient) => {
      void queryClient.invalidateQueries({ queryKey: patientKeys.all });
      queryClient.setQueryData(patientKeys.detail(patient.id), patient);
      void message.success(t('patient.registered', { name: patient.name }));
      void navigate(`/patients/${encodeURIComponent(patient.id)}`, { replace: true });
    },
    onError: (error) => {
      const dup = readDuplicateOutcome(error);
      if (dup) {
        setOutcome(dup);
        if (dup.kind === 'duplicate') window.scrollTo({ top: 0, behavior: 'smooth' });
        return;
      }
      const text = errorText(error, t);
      if (isApiError(error) && error.status === 400 && showFieldError(form, error.path, text)) return;
      setGeneralError(text);
      window.scrollTo({ top: 0, behavior: 'smooth' });
    },
  });

  const submit = (input: PatientInput) => {
    // Confirming "not the same person" keeps the list open, with its button spinning, until the server answers.
    if (!input.confirmNotDuplicate) setOutcome(null);
    setGeneralError(null);
    setLastInput(input);
    create.mutate(input);
  };

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
        pending={create.isPending}
        onSubmit={submit}
        onCancel={() => void navigate('/patients')}
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
        pending={create.isPending}
        onClose={() => setOutcome(null)}
        onConfirmDifferent={() => {
          if (lastInput) submit({ ...lastInput, confirmNotDuplicate: true });
        }}
      />
    </div>
  );
}
