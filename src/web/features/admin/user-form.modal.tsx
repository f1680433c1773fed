import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Col, Form, Input, Modal, Row, Select, Switch } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { roleCodes } from '../../../contracts/codes.js';
import type { UserDto } from '../../../contracts/identity.js';
import { userInputSchema, userUpdateSchema } from '../../../contracts/identity.js';
import { isApiError } from '../../api/client.js';
import { OrganizationSelect } from '../../components/organization-select.js';
import { errorText } from '../../lib/errors.js';
import { fieldOf, type Values, toUserInput, type UserFormField, userUpdateOf } from './user-form.model.js';
import { createUser, updateUser, userKeys } from './users.api.js';

interface Props {
  /** null: create a new account; a user: edit it. */
  user: UserDto | null;
  open: boolean;
  onClose: () => void;
}

export function UserFormModal({ user, open, onClose }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const editing = Boolean(user);

  const save = useMutation({
    mutationFn: async (v: Values): Promise<UserDto | null> => {
      if (user) {
        const update = userUpdateOf(user, v);
        return Object.keys(update).length === 0 ? null : updateUser(user.id, update);
      }
      return createUser(toUserInput(v));
    },
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: userKeys.all });
      if (saved) void message.success(editing ? t('user.saved', { name: saved.displayName }) : t('user.created', { name: saved.displayName }));
      onClose();
    },
    onError: (e) => {
      const text = errorText(e, t);
      const field = isApiError(e) ? fieldOf(e.path) : undefined;
      if (field) form.setFields([{ name: field, errors: [text] }]);
      else setError(text);
    },
  });

  /** The shared contract checks the input before it is sent; its messages name the field. */
  const submit = (v: Values) => {
    setError(null);
    const parsed = user ? userUpdateSchema.safeParse(userUpdateOf(user, v)) : userInputSchema.safeParse(toUserInput(v));
    if (!parsed.success) {
      form.setFields(
        parsed.error.issues
          .map((i) => ({ name: fieldOf(i.path.map(String).join('.')), errors: [i.message] }))
          .filter((f): f is { name: UserFormField; errors: string[] } => Boolean(f.name)),
      );
      return;
    }
    save.mutate(v);
  };

  return (
    <Modal
      open={open}
      title={editing ? t('user.editTitle', { username: user?.username }) : t('user.createTitle')}
      okText={editing ? t('common.save') : t('user.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
      onCancel={onClose}
      destroyOnHidden
      width={680}
      afterOpenChange={(visible) => {
        if (!visible) {
          setError(null);
          save.reset();
        }
      }}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} closable={{ onClose: () => setError(null) }} />}
      {user?.locked && <Alert type="warning" showIcon title={t('user.lockedNotice')} style={{ marginBottom: 16 }} />}
      <Form<Values>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={
          user
            ? { username: user.username, displayName: user.displayName, roles: user.roles, organization: user.organizationId, active: user.active, unlock: false }
            : { roles: [], organization: null, active: true }
        }
        onFinish={submit}
      >
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item
              name="username"
              label={t('user.username')}
              extra={editing ? undefined : t('user.usernameHint')}
              rules={[
                { required: true, message: t('user.usernameRequired') },
                { pattern: /^[a-zA-Z0-9._-]{3,64}$/, message: t('user.usernameInvalid') },
              ]}
            >
              <Input id="user-username" disabled={editing} autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="displayName" label={t('user.displayName')} rules={[{ required: true, whitespace: true, message: t('user.displayNameRequired') }, { max: 50 }]}>
              <Input id="user-displayName" autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="password"
              label={editing ? t('user.newPassword') : t('user.password')}
              extra={editing ? t('user.passwordKeep') : t('user.passwordHint')}
              rules={[{ required: !editing, message: t('user.passwordRequired') }, { min: 8, message: t('user.passwordMin') }, { max: 128 }]}
            >
              <Input.Password id="user-password" autoComplete="new-password" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="organization" label={t('user.organization')}>
              <OrganizationSelect id="user-organization" initialLabel={user?.organizationName ?? null} />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="roles" label={t('user.roles')} rules={[{ required: true, type: 'array', min: 1, message: t('user.rolesRequired') }]}>
              <Select
                id="user-roles"
                mode="multiple"
                options={roleCodes.map((r) => ({ value: r, label: t(`role.${r}`) }))}
                placeholder={t('user.rolesPlaceholder')}
                showSearch={{ optionFilterProp: 'label' }}
              />
            </Form.Item>
          </Col>
          <Col xs={12}>
            <Form.Item name="active" label={t('user.active')} valuePropName="checked">
              <Switch checkedChildren={t('user.enabled')} unCheckedChildren={t('user.disabled')} />
            </Form.Item>
          </Col>
          {user?.locked && (
            <Col xs={12}>
              <Form.Item name="unlock" label={t('user.unlock')} valuePropName="checked" extra={t('user.unlockHint')}>
                <Switch />
              </Form.Item>
            </Col>
          )}
        </Row>
      </Form>
    </Modal>
  );
}
