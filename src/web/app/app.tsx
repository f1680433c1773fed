import { QueryClientProvider } from '@tanstack/react-query';
import { App as AntdApp, ConfigProvider, theme } from 'antd';
import type { Locale } from 'antd/es/locale/index.js';
import enUSModule from 'antd/es/locale/en_US.js';
import zhCNModule from 'antd/es/locale/zh_CN.js';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn.js';
import { useEffect, useState } from 'react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { RouterProvider } from 'react-router';
import { i18n } from '../i18n/index.js';
import { createQueryClient } from './query-client.js';
import { createRouter } from './router.js';

/** antd's locale files are ES modules typed as CommonJS; take the default export whichever way it arrives. */
const interop = (m: unknown): Locale => ((m as { default?: Locale }).default ?? m) as Locale;
const antdLocales = { 'zh-CN': interop(zhCNModule), en: interop(enUSModule) };

/** The brand: a deep teal, the color of the platform mark; everything else is antd's default palette. */
export const brandColor = '#0f766e';

const appTheme = {
  algorithm: theme.defaultAlgorithm,
  token: {
    colorPrimary: brandColor,
    colorInfo: brandColor,
    colorLink: brandColor,
    borderRadius: 6,
    fontFamily:
      "-apple-system, BlinkMacSystemFont, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
  },
  components: {
    Layout: { siderBg: '#0c2f36', triggerBg: '#082329', headerBg: '#ffffff', bodyBg: '#f3f5f7', headerPadding: '0 24px' },
    Menu: { darkItemBg: '#0c2f36', darkSubMenuItemBg: '#082329', darkItemSelectedBg: brandColor },
    Table: { headerBg: '#f7f9fa' },
    Tree: { nodeSelectedBg: '#d6efea', nodeHoverBg: '#eef7f5' },
    // The palette derived from the dark brand teal makes a grey-green info background; explanations read better light.
    Alert: { colorInfoBg: '#eef7f5', colorInfoBorder: '#b9ddd6' },
  },
};

function Providers() {
  const { i18n: instance } = useTranslation();
  const lang = instance.language === 'en' ? 'en' : 'zh-CN';
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = instance.t('app.documentTitle');
    dayjs.locale(lang === 'en' ? 'en' : 'zh-cn');
  }, [lang, instance]);
  const [queryClient] = useState(createQueryClient);
  const [router] = useState(createRouter);
  return (
    <QueryClientProvider client={queryClient}>
      <ConfigProvider
        locale={antdLocales[lang]}
        theme={appTheme}
        // Two-character Chinese buttons keep their text as written ("登记", not "登 记"): tests and screen readers read it.
        button={{ autoInsertSpace: false }}
      >
        <AntdApp>
          <RouterProvider router={router} />
        </AntdApp>
      </ConfigProvider>
    </QueryClientProvider>
  );
}

export function App() {
  return (
    <I18nextProvider i18n={i18n}>
      <Providers />
    </I18nextProvider>
  );
}
