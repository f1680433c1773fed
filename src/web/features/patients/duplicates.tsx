import { ExclamationCircleOutlined } from '@ant-design/icons';
import { Alert, Button, Modal, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import type { DuplicateSuggestion } from '../../../contracts/patient.js';
import { duplicatePatientDetailSchema, possibleDuplicatesDetailSchema } from '../../../contracts/ui.js';
import type { DuplicatePatientDetail } from '../../../contracts/ui.js';
import { isApiError } from '../../api/client.js';
import { maskPhone } from '../../lib/format.js';

/** Outcome of a registration refused with 409: the same ID number exists, or similar people may be the same. */
export type DuplicateOutcome =
  | { kind: 'duplicate'; message: string; existing: DuplicatePatientDetail['existing'] }
  | { kind: 'suggestions'; message: string; suggestions: DuplicateSuggestion[] };

/** Reads a 409 answer of POST/PUT /api/v1/patients; null for any other error. */
export function readDuplicateOutcome(error: unknown): DuplicateOutcome | null {
  if (!isApiError(error) || error.status !== 409) return null;
  if (error.code === 'duplicate') {
    const d = duplicatePatientDetailSchema.safeParse(error.detail);
    if (d.success) return { kind: 'duplicate', message: error.message, existing: d.data.existing };
  }
  const s = possibleDuplicatesDetailSchema.safeParse(error.detail);
  if (s.success && s.data.suggestions.length > 0) return { kind: 'suggestions', message: error.message, suggestions: s.data.suggestions };
  return null;
}

/** The same ID number is registered: registration is refused; offer the existing record. */
export function DuplicateAlert({ outcome, onClose }: { outcome: Extract<DuplicateOutcome, { kind: 'duplicate' }>; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert
      type="error"
      showIcon
      closable={{ onClose }}
      className="form-banner"
      title={outcome.message || t('patient.duplicateTitle')}
      description={
        <Link to={`/patients/${encodeURIComponent(outcome.existing.id)}`} className="strong-link">
          {t('patient.openExisting', { name: outcome.existing.name, org: outcome.existing.managingOrganizationName })}
        </Link>
      }
    />
  );
}

interface ModalProps {
  outcome: Extract<DuplicateOutcome, { kind: 'suggestions' }> | null;
  pending: boolean;
  onConfirmDifferent: () => void;
  onClose: () => void;
}

/** Similar residents found: let the registrar open one of them or confirm this is a different person. */
export function PossibleDuplicatesModal({ outcome, pending, onConfirmDifferent, onClose }: ModalProps) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Modal
      open={Boolean(outcome)}
      width={920}
      onCancel={onClose}
      title={
        <span>
          <ExclamationCircleOutlined className="warn-icon" /> {t('patient.possibleDuplicatesTitle')}
        </span>
      }
      footer={[
        <Button key="back" onClick={onClose}>
          {t('patient.backToForm')}
        </Button>,
        <Button key="continue" type="primary" danger loading={pending} onClick={onConfirmDifferent}>
          {t('patient.notSamePerson')}
        </Button>,
      ]}
    >
      <Typography.Paragraph>{outcome?.message || t('patient.possibleDuplicatesText')}</Typography.Paragraph>
      <Table<DuplicateSuggestion>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={outcome?.suggestions ?? []}
        columns={[
          { title: t('patient.name'), dataIndex: 'name', width: 100 },
          { title: t('patient.birthDate'), dataIndex: 'birthDate', width: 110 },
          { title: t('patient.phone'), dataIndex: 'phone', width: 120, render: (v: string | null) => maskPhone(v) || '—' },
          { title: t('patient.managingOrganization'), dataIndex: 'managingOrganizationName', ellipsis: true },
          {
            title: t('patient.similarBecause'),
            dataIndex: 'reasons',
            width: 180,
            render: (reasons: string[]) => reasons.map((r) => <Tag key={r} color="orange">{r}</Tag>),
          },
          {
            title: '',
            key: 'open',
            width: 150,
            render: (_, s) => (
              <Button size="small" type="link" onClick={() => void navigate(`/patients/${encodeURIComponent(s.id)}`)}>
                {t('patient.samePersonOpen')}
              </Button>
            ),
          },
        ]}
      />
    </Modal>
  );
}
