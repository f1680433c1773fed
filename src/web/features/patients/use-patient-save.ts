import { useMutation } from '@tanstack/react-query';
import type { FormInstance } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PatientDto, PatientInput } from '../../../contracts/patient.js';
import { isApiError } from '../../api/client.js';
import { errorText } from '../../lib/errors.js';
import { type DuplicateOutcome, readDuplicateOutcome } from './duplicates.js';
import { type PatientFormState, showFieldError } from './patient-form.js';

interface Options {
  form: FormInstance<PatientFormState>;
  /** The request: register (POST) or update (PUT with the edited version). */
  save: (input: PatientInput) => Promise<PatientDto>;
  onSaved: (patient: PatientDto) => void;
  /** Scroll to the top for a refused duplicate ID number, where its alert is (registration does; editing does not). */
  scrollToDuplicate?: boolean;
}

/**
 * Saving the patient form, as registration and editing share it: a 409 for a known ID number becomes an alert above the
 * form, a 409 with similar residents opens the "same person?" list (confirming resends with confirmNotDuplicate), a
 * 400 that names a field goes on that field, and anything else is an alert above the form in the server's words.
 * Render its state with PatientSaveBanner and PatientSaveDuplicates (patient-save-feedback.tsx).
 */
export function usePatientSave({ form, save, onSaved, scrollToDuplicate = false }: Options) {
  const { t } = useTranslation();
  const [outcome, setOutcome] = useState<DuplicateOutcome | null>(null);
  const [lastInput, setLastInput] = useState<PatientInput | null>(null);
  const [generalError, setGeneralError] = useState<string | null>(null);

  const mutation = useMutation({
    mutationFn: save,
    onSuccess: (patient) => onSaved(patient),
    onError: (error) => {
      const dup = readDuplicateOutcome(error);
      if (dup) {
        setOutcome(dup);
        if (scrollToDuplicate && dup.kind === 'duplicate') window.scrollTo({ top: 0, behavior: 'smooth' });
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
    mutation.mutate(input);
  };

  return {
    submit,
    pending: mutation.isPending,
    outcome,
    dismissOutcome: () => setOutcome(null),
    generalError,
    dismissError: () => setGeneralError(null),
    /** "Not the same person": send the last input again, confirmed. */
    confirmNotDuplicate: () => {
      if (lastInput) submit({ ...lastInput, confirmNotDuplicate: true });
    },
  };
}

export type PatientSave = ReturnType<typeof usePatientSave>;
