import { useEffect, useState } from 'react';
import { Alert, Button, Card, Form, Input, Select, Space, Typography } from 'antd';
import type { ConsoleRole, ConsoleSettings, SignedIn } from '../../../src/view-model';
import { api } from '../api';
import { useI18n } from '../i18n';
import { beginOidcSignIn, finishOidcSignIn } from '../oidc';

export function SignIn({ onSignedIn }: { onSignedIn: (s: SignedIn) => void }) {
  const { t, v } = useI18n();
  const [settings, setSettings] = useState<ConsoleSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [role, setRole] = useState<ConsoleRole>('agent');
  const [subject, setSubject] = useState('');

  useEffect(() => {
    api<ConsoleSettings>('/settings')
      .then(async (s) => {
        setSettings(s);
        if (s.oidc) {
          const done = await finishOidcSignIn(s.oidc);
          if (done) onSignedIn(done);
        }
      })
      .catch((e: Error) => setError(e.message));
    // Once per visit: a code from the identity provider is exchanged once.
  }, []);

  const devSignIn = async () => {
    try {
      setError(null);
      onSignedIn(await api<SignedIn>('/dev-sign-in', { method: 'POST', body: { role, subject } }));
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <Card style={{ maxWidth: 440, margin: '48px auto' }}>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t.signInTitle}
      </Typography.Title>
      {error && <Alert type="error" message={error} style={{ marginBottom: 16 }} />}
      <Space direction="vertical" style={{ width: '100%' }}>
        {settings?.oidc && (
          <Button type="primary" block onClick={() => void beginOidcSignIn(settings.oidc!)}>
            {t.oidcSignIn}
          </Button>
        )}
        {settings?.devSignIn && (
          <Form layout="vertical" onFinish={() => void devSignIn()}>
            <Typography.Title level={2} style={{ fontSize: 16 }}>
              {t.devSignIn}
            </Typography.Title>
            <Form.Item label={t.role} htmlFor="sign-in-role">
              <Select
                id="sign-in-role"
                value={role}
                onChange={setRole}
                options={['agent', 'analyst', 'admin'].map((r) => ({ value: r, label: v(r) }))}
              />
            </Form.Item>
            <Form.Item label={t.yourId} htmlFor="sign-in-subject">
              <Input
                id="sign-in-subject"
                value={subject}
                onChange={(e) => setSubject(e.target.value)}
                autoComplete="username"
              />
            </Form.Item>
            <Button type="primary" htmlType="submit" block>
              {t.signIn}
            </Button>
          </Form>
        )}
      </Space>
    </Card>
  );
}
