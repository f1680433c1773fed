import { useMutation } from '@tanstack/react-query';
import type { FormInstance } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../lib/errors.js';
import { type FieldError, fieldOfServerError, type Parsed } from './alliance-admin.model.js';

interface Options<V, F extends string, I, R> {
  form: FormInstance<V>;
  /** The form's fields a server error `path` may name. */
  fields: readonly F[];
  /** Form values → request body, or errors for the fields (checked with the shared contract before sending). */
  parse: (values: V) => Parsed<I, F>;
  send: (input: I) => Promise<R>;
  onDone: (result: R) => Promise<void> | void;
}

/**
 * One form in a dialog that sends one request. Problems go on the field they name — the contract's check before
 * sending, or a 400 whose `path` is a field; anything else (a 409 overlap, a 403) is `error`, in the server's words,
 * shown above the form by FormModal. `modalProps` wires the dialog to it.
 */
export function useFormMutation<V, F extends string, I, R>({ form, fields, parse, send, onDone }: Options<V, F, I, R>) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const showFieldErrors = (errors: FieldError<F>[]) =>
    form.setFields(errors.map((e) => ({ name: e.name, errors: e.errors })) as Parameters<FormInstance<V>['setFields']>[0]);

  const mutation = useMutation({
    mutationFn: send,
    onSuccess: onDone,
    onError: (e) => {
      const text = errorText(e, t);
      const field = fieldOfServerError(e, fields);
      if (field) showFieldErrors([{ name: field, errors: [text] }]);
      else setError(text);
    },
  });

  const submit = (values: V) => {
    setError(null);
    const parsed = parse(values);
    if (!parsed.ok) showFieldErrors(parsed.errors);
    else mutation.mutate(parsed.value);
  };

  return {
    submit,
    modalProps: {
      pending: mutation.isPending,
      onOk: () => form.submit(),
      error,
      onDismissError: () => setError(null),
      // The form instance outlives the dialog: start the next opening from the initial values, not the last entry.
      onClosed: () => {
        setError(null);
        mutation.reset();
        form.resetFields();
      },
    },
  };
}
