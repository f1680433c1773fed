import { LockOutlined, SafetyCertificateOutlined, UserOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { BrandMark } from '../../components/brand.js';
import { LanguageSwitch } from '../../components/language-switch.js';
import { Loading } from '../../components/query-state.js';
import { errorText } from '../../lib/errors.js';
import { safeNext } from '../../lib/safe-next.js';
import { meKey, signIn, useMe } from './auth.api.js';

interface Credentials {
  username: string;
  password: string;
}

export function LoginPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useMe();
  const next = safeNext(params.get('next'));
  const [form] = Form.useForm<Credentials>();

  const login = useMutation({
    mutationFn: (c: Credentials) => signIn(c.username.trim(), c.password),
    onSuccess: (user) => {
      queryClient.setQueryData(meKey, user);
      void navigate(next, { replace: true });
    },
    onError: () => form.setFieldValue('password', ''),
  });

  if (me.isPending) return <Loading height={480} />;
  if (me.data) return <Navigate to={next} replace />;

  return (
    <div className="login-page">
      <div className="login-lang">
        <LanguageSwitch size="small" />
      </div>
      <Flex className="login-body" align="center" justify="center">
        <div className="login-intro">
          <Flex align="center" gap={14}>
            <BrandMark size={52} />
            <div>
              <div className="login-title">{t('app.name')}</div>
              <div className="login-subtitle">{t('app.tagline')}</div>
            </div>
          </Flex>
          <Typography.Paragraph className="login-pitch">{t('login.pitch')}</Typography.Paragraph>
          <ul className="login-points">
            <li>{t('login.point1')}</li>
            <li>{t('login.point2')}</li>
            <li>{t('login.point3')}</li>
          </ul>
        </div>
        <Card className="login-card" variant="borderless">
          <Typography.Title level={4} style={{ marginTop: 0, marginBottom: 4 }}>
            {t('login.title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 24 }}>
            {t('login.subtitle')}
          </Typography.Paragraph>
          {login.isError && (
            <Alert type="error" showIcon title={errorText(login.error, t)} style={{ marginBottom: 20 }} role="alert" />
          )}
          <Form<Credentials>
            form={form}
            layout="vertical"
            requiredMark={false}
            onFinish={(values) => login.mutate(values)}
            onValuesChange={() => login.isError && login.reset()}
            size="large"
          >
            <Form.Item
              name="username"
              label={t('login.username')}
              rules={[{ required: true, whitespace: true, message: t('login.usernameRequired') }]}
            >
              <Input id="username" prefix={<UserOutlined />} autoComplete="username" autoFocus placeholder={t('login.usernamePlaceholder')} />
            </Form.Item>
            <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
              <Input.Password id="password" prefix={<LockOutlined />} autoComplete="current-password" placeholder={t('login.passwordPlaceholder')} />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={login.isPending} style={{ marginTop: 8 }}>
              {t('login.submit')}
            </Button>
          </Form>
          <Flex align="center" gap={6} className="login-note">
            <SafetyCertificateOutlined />
            <span>{t('login.note')}</span>
          </Flex>
        </Card>
      </Flex>
      <div className="login-footer">{t('app.footer')}</div>
    </div>
  );
}
