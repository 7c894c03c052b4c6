import { useState } from 'react';
import { Alert, Input, Table, Typography } from 'antd';
import type { SearchResult } from '../../../src/view-model';
import { api } from '../api';
import { useI18n } from '../i18n';
import { navigate } from '../router';

export function Customers() {
  const { t, v } = useI18n();
  const [result, setResult] = useState<SearchResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const search = async (q: string) => {
    setError(null);
    try {
      const found = await api<SearchResult>('/customers/search', { method: 'POST', body: { q } });
      setResult(found);
      if (found.by === 'externalRef' && found.hits.length === 1) navigate(`/customers/${found.hits[0]!.id}`);
    } catch (e) {
      setResult(null);
      setError((e as Error).message);
    }
  };
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t.customers}
      </Typography.Title>
      <label htmlFor="customer-search" style={{ display: 'block', marginBottom: 4 }}>
        {t.searchLabel}
      </label>
      <Input.Search
        id="customer-search"
        placeholder={t.searchHint}
        enterButton={t.search}
        onSearch={(q) => void search(q)}
      />
      {error && <Alert type="error" message={error} style={{ marginTop: 16 }} />}
      {result && (
        <Table
          style={{ marginTop: 16 }}
          rowKey="id"
          dataSource={result.hits}
          locale={{ emptyText: t.noResults }}
          pagination={false}
          columns={[
            {
              title: t.reference,
              dataIndex: 'externalRef',
              render: (ref: string, row) => (
                <a
                  href={`/console/customers/${row.id}`}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(`/customers/${row.id}`);
                  }}
                >
                  {ref}
                </a>
              ),
            },
            { title: t.name, dataIndex: 'name' },
            { title: t.owner, dataIndex: 'owner' },
            { title: t.tier, dataIndex: 'valueTier', render: (x: string | null) => v(x) },
            { title: t.segment, dataIndex: 'segment', render: (x: string | null) => v(x) },
            { title: t.stage, dataIndex: 'lifecycleStage', render: (x: string | null) => v(x) },
          ]}
        />
      )}
    </>
  );
}
