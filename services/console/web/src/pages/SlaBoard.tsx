import { useCallback, useRef, useState } from 'react';
import { Alert, Button, Input, Select, Space, Table, Tag, Typography, message } from 'antd';
import type { BoardTicket, LiveEvent, SignedIn, TicketAction } from '../../../src/view-model';
import { api } from '../api';
import { TAG } from '../colors';
import { useI18n } from '../i18n';
import { useLiveEvents, useLoad } from '../live';
import { timeLeft, useNow } from '../clock';

const SLA_EVENTS = new Set(['crm.sla.warning.v1', 'crm.sla.breached.v1', 'crm.ticket.escalated.v1']);

export function SlaBoard({ signedIn }: { signedIn: SignedIn }) {
  const { t, v } = useI18n();
  const [tickets, setTickets] = useState<BoardTicket[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [filters, setFilters] = useState<{ tier?: string; type?: string; owner?: string }>({});
  const [alerts, setAlerts] = useState<Record<string, 'warning' | 'breached'>>({});
  const [feed, setFeed] = useState<LiveEvent[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  // The clocks tick in the browser from each deadline; the server is asked again only when an event says so.
  const now = useNow();

  const load = useCallback(() => {
    const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v) as [string, string][]);
    return api<BoardTicket[]>(`/sla/board?${query}`)
      .then((rows) => {
        setTickets(rows);
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, [filters]);
  useLoad(load);
  useLiveEvents(
    (event) => {
      if (!event.ticketId) return;
      if (SLA_EVENTS.has(event.type)) {
        setAlerts((a) => ({
          ...a,
          [event.ticketId!]:
            event.type === 'crm.sla.warning.v1' && a[event.ticketId!] !== 'breached' ? 'warning' : 'breached',
        }));
        setFeed((f) => [event, ...f].slice(0, 8));
      }
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void load(), 200);
    },
    [load],
  );

  const act = async (ticketId: string, action: TicketAction) => {
    try {
      await api(`/sla/tickets/${ticketId}/${action}`, { method: 'POST' });
      await load();
    } catch (e) {
      void message.error((e as Error).message);
    }
  };
  const canAct = signedIn.roles.some((r) => r === 'agent' || r === 'admin');

  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t.slaBoard}
      </Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          aria-label={t.filterTier}
          placeholder={t.filterTier}
          allowClear
          style={{ width: 180 }}
          onChange={(tier?: string) => setFilters((f) => ({ ...f, tier }))}
          options={['high-value', 'potential', 'stable', 'silent'].map((x) => ({ value: x, label: v(x) }))}
        />
        <Select
          aria-label={t.filterType}
          placeholder={t.filterType}
          allowClear
          style={{ width: 180 }}
          onChange={(type?: string) => setFilters((f) => ({ ...f, type }))}
          options={['consultation', 'fault', 'complaint', 'suggestion', 'follow-up'].map((x) => ({
            value: x,
            label: v(x),
          }))}
        />
        <Input.Search
          aria-label={t.filterOwner}
          placeholder={t.filterOwner}
          allowClear
          onSearch={(owner) => setFilters((f) => ({ ...f, owner: owner || undefined }))}
        />
      </Space>
      {error && <Alert type="error" message={error} />}
      <div aria-live="polite" data-testid="sla-feed">
        {feed.map((e) => (
          <Tag
            key={`${e.type}-${e.ticketId}-${e.occurredAt}`}
            color={e.type === 'crm.sla.warning.v1' ? TAG.attention : TAG.bad}
          >
            {e.type === 'crm.sla.warning.v1' ? t.warning : t.breached} · {e.ticketId?.slice(0, 8)}
          </Tag>
        ))}
      </div>
      <Table
        style={{ marginTop: 12 }}
        rowKey="ticketId"
        dataSource={tickets}
        pagination={false}
        locale={{ emptyText: t.nothing }}
        onRow={(row) => ({ 'data-ticket': row.ticketId }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t.type, dataIndex: 'type', render: (x: string | null) => v(x) },
          { title: t.priority, dataIndex: 'priority', render: (x: string | null) => v(x) },
          { title: t.tier, dataIndex: 'tier', render: (x: string | null) => v(x) },
          { title: t.owner, dataIndex: 'owner' },
          { title: t.status, dataIndex: 'status', render: (x: string | null) => v(x) },
          {
            title: t.timeLeft,
            dataIndex: 'nextDeadline',
            render: (deadline: string | null) => timeLeft(deadline, now),
          },
          {
            title: 'SLA',
            key: 'sla',
            render: (_: unknown, row) =>
              row.breached || alerts[row.ticketId] === 'breached' ? (
                <Tag color={TAG.bad} data-testid="sla-state">
                  {t.breached}
                </Tag>
              ) : alerts[row.ticketId] === 'warning' ? (
                <Tag color={TAG.attention} data-testid="sla-state">
                  {t.warning}
                </Tag>
              ) : (
                '—'
              ),
          },
          {
            title: t.actions,
            key: 'actions',
            render: (_: unknown, row) =>
              canAct && (
                <Space size="small" wrap>
                  <Button size="small" onClick={() => void act(row.ticketId, 'respond')}>
                    {t.respond}
                  </Button>
                  {row.status === 'waiting-on-customer' ? (
                    <Button size="small" onClick={() => void act(row.ticketId, 'customer-replied')}>
                      {t.resume}
                    </Button>
                  ) : (
                    <Button size="small" onClick={() => void act(row.ticketId, 'wait-on-customer')}>
                      {t.pause}
                    </Button>
                  )}
                  <Button size="small" type="primary" onClick={() => void act(row.ticketId, 'resolve')}>
                    {t.resolve}
                  </Button>
                </Space>
              ),
          },
        ]}
      />
    </>
  );
}
