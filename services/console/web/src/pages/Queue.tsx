import { useCallback, useEffect, useState } from 'react';
import { Alert, Input, Table, Tag, Typography } from 'antd';
import type { PartProblem, QueueItem, SignedIn } from '../../../src/view-model';
import { api } from '../api';
import { TAG } from '../colors';
import { useI18n } from '../i18n';
import { navigate } from '../router';

export function Queue({ signedIn }: { signedIn: SignedIn }) {
  const { t } = useI18n();
  const [owner, setOwner] = useState(signedIn.subject);
  const [data, setData] = useState<{ items: QueueItem[]; unavailable: PartProblem[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    () =>
      api<{ items: QueueItem[]; unavailable: PartProblem[] }>(`/queue?owner=${encodeURIComponent(owner)}`)
        .then(setData)
        .catch((e: Error) => setError(e.message)),
    [owner],
  );
  useEffect(() => void load(), [load]);
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t.myQueue}
      </Typography.Title>
      <Input.Search
        aria-label={t.ownerLabel}
        defaultValue={owner}
        enterButton={t.load}
        onSearch={(v) => setOwner(v || signedIn.subject)}
        style={{ maxWidth: 360 }}
      />
      {error && <Alert type="error" message={error} />}
      {data && data.unavailable.length > 0 && (
        <Alert
          type="info"
          message={`${t.unavailable}: ${data.unavailable.map((u) => `${u.part} (${u.reason})`).join(', ')}`}
          style={{ marginTop: 16 }}
        />
      )}
      <Table
        style={{ marginTop: 16 }}
        rowKey={(r) => `${r.source}-${r.id}`}
        dataSource={data?.items ?? []}
        pagination={false}
        locale={{ emptyText: t.nothing }}
        columns={[
          {
            title: t.due,
            dataIndex: 'dueAt',
            render: (d: string | null, r) => (
              <>
                {d ? new Date(d).toLocaleString() : '—'} {r.overdue && <Tag color={TAG.bad}>{t.overdue}</Tag>}
              </>
            ),
          },
          { title: t.source, dataIndex: 'source' },
          { title: t.type, dataIndex: 'title' },
          {
            title: t.customers,
            dataIndex: 'customerId',
            render: (id: string | null) =>
              id ? (
                <a
                  href={`/console/customers/${id}`}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(`/customers/${id}`);
                  }}
                >
                  {id.slice(0, 8)}
                </a>
              ) : (
                '—'
              ),
          },
        ]}
      />
    </>
  );
}
