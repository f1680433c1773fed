import { Breadcrumb, Flex, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

export interface Crumb {
  title: ReactNode;
  path?: string;
}

interface Props {
  title: ReactNode;
  subtitle?: ReactNode;
  /** Trail below Home; the home crumb is added here. */
  crumbs?: Crumb[];
  extra?: ReactNode;
  tags?: ReactNode;
  children?: ReactNode;
}

/** The band at the top of every page: breadcrumb, title, actions. */
export function PageHeader({ title, subtitle, crumbs = [], extra, tags, children }: Props) {
  const { t } = useTranslation();
  const items = [{ title: <Link to="/">{t('nav.home')}</Link> }, ...crumbs.map((c) => ({
    title: c.path ? <Link to={c.path}>{c.title}</Link> : c.title,
  }))];
  return (
    <div className="page-header">
      {crumbs.length > 0 && <Breadcrumb items={items} className="page-header-breadcrumb" />}
      <Flex justify="space-between" align="center" gap={16} wrap>
        <Flex align="center" gap={12} wrap style={{ minWidth: 0 }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {title}
          </Typography.Title>
          {tags}
          {subtitle && <Typography.Text type="secondary">{subtitle}</Typography.Text>}
        </Flex>
        {extra && <Flex gap={8} wrap>{extra}</Flex>}
      </Flex>
      {children}
    </div>
  );
}
