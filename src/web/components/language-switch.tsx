import { GlobalOutlined } from '@ant-design/icons';
import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { changeLanguage, currentLanguage, type Language } from '../i18n/index.js';

/** 中文 / English; the choice is remembered in this browser. */
export function LanguageSwitch({ size = 'middle' }: { size?: 'small' | 'middle' }) {
  const { i18n } = useTranslation();
  const value = i18n.language === 'en' ? 'en' : currentLanguage();
  return (
    <Segmented<Language>
      size={size}
      value={value}
      aria-label="Language / 语言"
      options={[
        { label: <span><GlobalOutlined /> 中文</span>, value: 'zh-CN' },
        { label: 'English', value: 'en' },
      ]}
      onChange={(v) => void changeLanguage(v)}
    />
  );
}
