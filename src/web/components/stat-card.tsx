import { Card, Skeleton, Statistic } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

interface Props {
  title: ReactNode;
  value: number | undefined;
  loading?: boolean;
  icon?: ReactNode;
  suffix?: ReactNode;
  to?: string;
  /** Accent color of the icon badge. */
  color?: string;
  footer?: ReactNode;
}

/** A figure on the home page; clicking it opens the list behind it. */
export function StatCard({ title, value, loading, icon, suffix, to, color = '#0f766e', footer }: Props) {
  const body = (
    <Card className={`stat-card${to ? ' stat-card-link' : ''}`} variant="borderless">
      <div className="stat-card-row">
        <div style={{ minWidth: 0 }}>
          {loading || value === undefined ? (
            <>
              <div className="stat-card-title">{title}</div>
              <Skeleton.Input active size="small" style={{ marginTop: 8 }} />
            </>
          ) : (
            <Statistic title={title} value={value} suffix={suffix} />
          )}
        </div>
        {icon && (
          <div className="stat-card-icon" style={{ color, background: `${color}14` }}>
            {icon}
          </div>
        )}
      </div>
      {footer && <div className="stat-card-footer">{footer}</div>}
    </Card>
  );
  return to ? <Link to={to}>{body}</Link> : body;
}
