import { useEffect, useState } from 'react';
import { Button, ConfigProvider, Layout, Menu, Radio, Space, Tag, Typography } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import type { SignedIn } from '../../src/view-model';
import { liveEvents, saveSession, session } from './api';
import { I18n, MESSAGES, valueLabel, type Locale } from './i18n';
import { liveBus } from './live';
import { TAG } from './colors';
import { navigate, usePath } from './router';
import { SignIn } from './pages/SignIn';
import { Overview } from './pages/Overview';
import { Customers } from './pages/Customers';
import { Customer } from './pages/Customer';
import { SlaBoard } from './pages/SlaBoard';
import { Segments } from './pages/Segments';
import { Queue } from './pages/Queue';

/** antd's default secondary greys fall below WCAG AA contrast (4.5:1) on white: darker ones here. */
const THEME = {
  token: {
    colorPrimary: '#0958d9',
    colorLink: '#0958d9',
    colorTextSecondary: 'rgba(0, 0, 0, 0.68)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.64)',
    colorTextQuaternary: 'rgba(0, 0, 0, 0.62)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.62)',
    colorTextDescription: 'rgba(0, 0, 0, 0.64)',
  },
};

const initialLocale = (): Locale =>
  (localStorage.getItem('crm-console-locale') as Locale | null) ??
  (navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en');

export function App() {
  const [locale, setLocale] = useState<Locale>(initialLocale);
  const [signedIn, setSignedIn] = useState<SignedIn | null>(session);
  const [live, setLive] = useState(false);
  const path = usePath();
  const t = MESSAGES[locale];

  useEffect(() => {
    localStorage.setItem('crm-console-locale', locale);
    document.documentElement.lang = locale;
    document.title = t.appName;
  }, [locale, t]);

  useEffect(() => {
    const out = () => setSignedIn(null);
    window.addEventListener('crm-signed-out', out);
    return () => window.removeEventListener('crm-signed-out', out);
  }, []);

  useEffect(() => {
    if (!signedIn) return;
    return liveEvents(
      (event) => liveBus.dispatchEvent(new CustomEvent('crm', { detail: event })),
      (state) => {
        setLive(state);
        if (state) liveBus.dispatchEvent(new Event('reconnected'));
      },
    );
  }, [signedIn]);

  const menu = [
    { key: '/', label: t.overview },
    { key: '/customers', label: t.customers },
    { key: '/sla', label: t.slaBoard },
    { key: '/segments', label: t.segments },
    { key: '/queue', label: t.myQueue },
  ];
  const selected = menu.find((m) => m.key !== '/' && path.startsWith(m.key))?.key ?? '/';

  let page;
  if (!signedIn)
    page = (
      <SignIn
        onSignedIn={(s) => {
          saveSession(s);
          setSignedIn(s);
        }}
      />
    );
  else if (path.startsWith('/customers/'))
    page = <Customer id={decodeURIComponent(path.slice('/customers/'.length))} signedIn={signedIn} />;
  else if (path.startsWith('/customers')) page = <Customers />;
  else if (path.startsWith('/sla')) page = <SlaBoard signedIn={signedIn} />;
  else if (path.startsWith('/segments')) page = <Segments />;
  else if (path.startsWith('/queue')) page = <Queue signedIn={signedIn} />;
  else page = <Overview />;

  return (
    <I18n.Provider value={{ t, locale, setLocale, v: (value) => valueLabel(locale, value) }}>
      <ConfigProvider locale={locale === 'zh-CN' ? zhCN : enUS} theme={THEME}>
        <Layout style={{ minHeight: '100vh' }}>
          <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16 }}>
            <Typography.Text strong style={{ color: '#fff', whiteSpace: 'nowrap' }}>
              {t.appName}
            </Typography.Text>
            <nav aria-label={t.appName} style={{ flex: 1, minWidth: 0 }}>
              {signedIn && (
                <Menu
                  theme="dark"
                  mode="horizontal"
                  selectedKeys={[selected]}
                  items={menu}
                  onClick={(item) => navigate(item.key)}
                />
              )}
            </nav>
            <Space>
              {signedIn && (
                <Tag color={live ? TAG.good : TAG.attention} data-testid="live-state">
                  {live ? t.live : t.offline}
                </Tag>
              )}
              <Radio.Group
                aria-label={t.language}
                optionType="button"
                size="small"
                value={locale}
                onChange={(e) => setLocale(e.target.value as Locale)}
                options={[
                  { value: 'en', label: 'English' },
                  { value: 'zh-CN', label: '简体中文' },
                ]}
              />
              {signedIn && (
                <Button
                  onClick={() => {
                    saveSession(null);
                    setSignedIn(null);
                  }}
                >
                  {t.signOut} ({signedIn.subject})
                </Button>
              )}
            </Space>
          </Layout.Header>
          <Layout.Content style={{ padding: 24 }}>{page}</Layout.Content>
        </Layout>
      </ConfigProvider>
    </I18n.Provider>
  );
}
