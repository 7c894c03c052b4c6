import { useCallback, useRef, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Form,
  Input,
  List,
  Modal,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
  message,
} from 'antd';
import {
  OPENABLE_TICKET_TYPES,
  type Customer360,
  type Line,
  type ProfilePart,
  type SignedIn,
} from '../../../src/view-model';
import { api } from '../api';
import { TAG } from '../colors';
import { useI18n } from '../i18n';
import { useLiveEvents, useLoad } from '../live';
import { timeLeft, useNow } from '../clock';

function Lines({ title, lines, empty }: { title: string; lines: Line[]; empty: string }) {
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{title}</h2>} size="small">
      <List
        size="small"
        dataSource={lines}
        locale={{ emptyText: empty }}
        renderItem={(l) => (
          <List.Item>
            <List.Item.Meta
              title={l.title}
              description={`${l.at ? new Date(l.at).toLocaleString() : ''} ${l.detail}`}
            />
            {l.status && <Tag>{l.status}</Tag>}
          </List.Item>
        )}
      />
    </Card>
  );
}

export function Customer({ id, signedIn }: { id: string; signedIn: SignedIn }) {
  const { t, v } = useI18n();
  const [data, setData] = useState<Customer360 | null>(null);
  const [revealed, setRevealed] = useState<ProfilePart | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revealing, setRevealing] = useState(false);
  const [reason, setReason] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const now = useNow();

  const load = useCallback(
    () =>
      api<Customer360>(`/customers/${encodeURIComponent(id)}`)
        .then((d) => {
          setData(d);
          setError(null);
        })
        .catch((e: Error) => setError(e.message)),
    [id],
  );
  useLoad(load);
  // Something happened to this customer: read the 360 again (coalesced, the cascade sends several events).
  useLiveEvents(
    (event) => {
      if (event.customerId !== id) return;
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void load(), 300);
    },
    [id, load],
  );

  const [ticketType, setTicketType] = useState<string>('complaint');
  const [subject, setSubject] = useState('');
  const openTicket = async () => {
    try {
      await api(`/customers/${id}/tickets`, {
        method: 'POST',
        body: { type: ticketType, subject: subject || undefined },
      });
      setSubject('');
      void message.success(t.ticketOpened);
      await load();
    } catch (e) {
      void message.error((e as Error).message);
    }
  };

  const reveal = async () => {
    try {
      setRevealed(await api<ProfilePart>(`/customers/${id}/reveal`, { method: 'POST', body: { reason } }));
      setRevealing(false);
      void message.success(t.revealDone);
    } catch (e) {
      void message.error((e as Error).message);
    }
  };

  const agent = signedIn.roles.some((r) => r === 'agent' || r === 'admin');
  if (error) return <Alert type="error" message={error} />;
  if (!data) return null;
  const profile = revealed ?? data.profile;
  const s = data.scores;
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {profile.externalRef} <span data-testid="customer-name">{profile.name}</span>{' '}
        {s && (
          <Tag color={TAG.info} data-testid="value-tier">
            {v(s.valueTier)}
          </Tag>
        )}
      </Typography.Title>
      {data.unavailable.length > 0 && (
        <Alert
          type="info"
          style={{ marginBottom: 16 }}
          message={`${t.unavailable}: ${data.unavailable.map((u) => `${u.part} (${u.reason})`).join(', ')}`}
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card
            title={<h2 style={{ fontSize: 16, margin: 0 }}>{t.profile}</h2>}
            size="small"
            extra={agent && !revealed ? <Button onClick={() => setRevealing(true)}>{t.reveal}</Button> : null}
          >
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t.name}>{profile.name}</Descriptions.Item>
              <Descriptions.Item label={t.email}>
                <span data-testid="customer-email">{profile.email ?? '—'}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t.phone}>{profile.phone ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t.owner}>{profile.owner ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t.lifetimeSpend}>
                {profile.aggregates.lifetimeSpend.toLocaleString()}
              </Descriptions.Item>
              <Descriptions.Item label={t.purchases}>
                {profile.aggregates.lifetimePurchaseCount}
              </Descriptions.Item>
              <Descriptions.Item label={t.consents}>
                {profile.consents.map((c) => (
                  <Tag key={`${c.channel}-${c.purpose}`}>
                    {c.channel}/{c.purpose}: {c.granted ? t.granted : t.withdrawn}
                  </Tag>
                ))}
              </Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t.scores}</h2>} size="small">
            {s ? (
              <>
                <Descriptions column={2} size="small">
                  <Descriptions.Item label={t.tier}>{v(s.valueTier)}</Descriptions.Item>
                  <Descriptions.Item label={t.segment}>{v(s.valueLoyaltySegment)}</Descriptions.Item>
                  <Descriptions.Item label={t.stage}>{v(s.lifecycleStage)}</Descriptions.Item>
                  <Descriptions.Item label={t.membership}>{v(s.membershipLevel)}</Descriptions.Item>
                  <Descriptions.Item label="RFM">
                    {s.rfm.recency}-{s.rfm.frequency}-{s.rfm.monetary}
                  </Descriptions.Item>
                  <Descriptions.Item label={t.rulesVersion}>{s.rulesVersion}</Descriptions.Item>
                </Descriptions>
                <Typography.Text strong>{t.why}</Typography.Text>
                <ul data-testid="score-why">
                  {s.why.map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
                {data.segments.map((seg) => (
                  <Tag key={seg}>{seg}</Tag>
                ))}
              </>
            ) : (
              t.nothing
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t.stageHistory}</h2>} size="small">
            <Timeline
              items={data.stageHistory.map((c) => ({
                children: `${new Date(c.changedAt).toLocaleString()} ${v(c.previousStage)} → ${v(c.stage)}`,
              }))}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t.tickets}</h2>} size="small">
            {agent && (
              <Form layout="inline" onFinish={() => void openTicket()} style={{ marginBottom: 12 }}>
                <Space wrap>
                  <Select
                    aria-label={t.type}
                    value={ticketType}
                    onChange={setTicketType}
                    style={{ width: 160 }}
                    options={OPENABLE_TICKET_TYPES.map((type) => ({ value: type, label: v(type) }))}
                  />
                  <Input
                    aria-label={t.subject}
                    placeholder={t.subject}
                    value={subject}
                    onChange={(e) => setSubject(e.target.value)}
                  />
                  <Button htmlType="submit">{t.openTicket}</Button>
                </Space>
              </Form>
            )}
            <Table
              size="small"
              rowKey="ticketId"
              pagination={false}
              dataSource={data.tickets}
              locale={{ emptyText: t.nothing }}
              columns={[
                { title: t.type, dataIndex: 'type', render: (x: string) => v(x) },
                { title: t.priority, dataIndex: 'priority', render: (x: string) => v(x) },
                { title: t.status, dataIndex: 'status', render: (x: string) => v(x) },
                {
                  title: t.deadline,
                  dataIndex: 'nextDeadline',
                  render: (d: string | null) => (d ? new Date(d).toLocaleString() : '—'),
                },
                {
                  title: t.timeLeft,
                  dataIndex: 'nextDeadline',
                  key: 'left',
                  render: (d: string | null) => timeLeft(d, now),
                },
                {
                  title: t.breached,
                  dataIndex: 'breached',
                  render: (b: boolean) => (b ? <Tag color={TAG.bad}>{t.breached}</Tag> : '—'),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Lines title={t.interactions} lines={data.interactions} empty={t.nothing} />
        </Col>
        <Col xs={24} lg={12}>
          <Lines title={t.careActions} lines={data.careActions} empty={t.nothing} />
        </Col>
        <Col xs={24} lg={12}>
          <Lines title={t.journeys} lines={data.journeys} empty={t.nothing} />
        </Col>
        <Col xs={24} lg={12}>
          <Lines title={t.referrals} lines={data.referrals} empty={t.nothing} />
        </Col>
        <Col xs={24} lg={12}>
          <Lines
            title={`${t.points}${data.points ? `: ${data.points.balance}` : ''}`}
            lines={data.points?.movements ?? []}
            empty={t.nothing}
          />
        </Col>
      </Row>
      <Modal
        open={revealing}
        title={t.reveal}
        onOk={() => void reveal()}
        onCancel={() => setRevealing(false)}
        okText={t.reveal}
      >
        <label htmlFor="reveal-reason">{t.revealReason}</label>
        <Input.TextArea
          id="reveal-reason"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          rows={3}
        />
      </Modal>
    </>
  );
}
