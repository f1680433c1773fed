import { Alert, Modal } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

interface Props {
  open: boolean;
  title: ReactNode;
  okText: string;
  /** A destructive action (ending, removing): the button is red. */
  danger?: boolean;
  pending: boolean;
  /** OK pressed: submit the form inside (form.submit()). */
  onOk: () => void;
  onClose: () => void;
  /** After the closing animation: forget the last error and mutation state. */
  onClosed?: () => void;
  /** An error that names no field (a 409, a 403), in the server's words, shown above the form. */
  error: string | null;
  onDismissError: () => void;
  width?: number;
  children: ReactNode;
}

/** A dialog holding one form: OK submits it, an error that belongs to no field stands above it. */
export function FormModal({ open, title, okText, danger, pending, onOk, onClose, onClosed, error, onDismissError, width = 600, children }: Props) {
  const { t } = useTranslation();
  return (
    <Modal
      open={open}
      title={title}
      okText={okText}
      okButtonProps={danger ? { danger: true } : undefined}
      cancelText={t('common.cancel')}
      onOk={onOk}
      confirmLoading={pending}
      onCancel={onClose}
      destroyOnHidden
      width={width}
      afterOpenChange={(visible) => {
        if (!visible) onClosed?.();
      }}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} closable={{ onClose: onDismissError }} />}
      {children}
    </Modal>
  );
}
