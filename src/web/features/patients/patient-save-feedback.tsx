import { Alert } from 'antd';
import { DuplicateAlert, PossibleDuplicatesModal } from './duplicates.js';
import type { PatientSave } from './use-patient-save.js';

/** Above the patient form: a refused duplicate ID number, or an error that names no field. */
export function PatientSaveBanner({ save }: { save: PatientSave }) {
  return (
    <>
      {save.outcome?.kind === 'duplicate' && <DuplicateAlert outcome={save.outcome} onClose={save.dismissOutcome} />}
      {save.generalError && (
        <Alert type="error" showIcon className="form-banner" title={save.generalError} closable={{ onClose: save.dismissError }} />
      )}
    </>
  );
}

/** The "same person?" list when the server found similar residents. */
export function PatientSaveDuplicates({ save }: { save: PatientSave }) {
  return (
    <PossibleDuplicatesModal
      outcome={save.outcome?.kind === 'suggestions' ? save.outcome : null}
      pending={save.pending}
      onClose={save.dismissOutcome}
      onConfirmDifferent={save.confirmNotDuplicate}
    />
  );
}
