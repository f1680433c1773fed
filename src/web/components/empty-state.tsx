import { Empty } from 'antd';
import type { ReactNode } from 'react';

/** An empty list that says what to do next, instead of a bare "no data". */
export function EmptyState({ description, action, simple }: { description: ReactNode; action?: ReactNode; simple?: boolean }) {
  return (
    <Empty
      image={simple ? Empty.PRESENTED_IMAGE_SIMPLE : Empty.PRESENTED_IMAGE_DEFAULT}
      description={<span className="empty-text">{description}</span>}
      style={{ padding: simple ? '16px 0' : '32px 0' }}
    >
      {action}
    </Empty>
  );
}
