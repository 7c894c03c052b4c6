import { useEffect, useState } from 'react';
import { Alert, Card, Col, Row, Typography } from 'antd';
import type { Overview as OverviewData } from '../../../src/view-model';
import { api } from '../api';
import { useI18n } from '../i18n';
import { useLiveEvents } from '../live';
import { Bars } from './Charts';

export function Overview() {
  const { t, v } = useI18n();
  const [data, setData] = useState<OverviewData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [events, setEvents] = useState(0);
  const load = () =>
    api<OverviewData>('/overview')
      .then(setData)
      .catch((e: Error) => setError(e.message));
  useEffect(() => void load(), []);
  useLiveEvents(() => setEvents((n) => n + 1), []);

  const funnel = (data?.stages ?? []).map((d) => ({ ...d, label: v(d.label) }));
  const sla = (data?.sla ?? []).map((w) => ({
    label: w.period,
    count: w.met + w.breached === 0 ? 0 : Math.round((100 * w.met) / (w.met + w.breached)),
  }));
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t.overview}
      </Typography.Title>
      {error && <Alert type="error" message={error} />}
      <Typography.Paragraph>
        {t.liveEvents}: <span data-testid="live-count">{events}</span>
      </Typography.Paragraph>
      {data && (
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={12}>
            <Card>
              <Bars
                empty={t.nothing}
                title={t.tierDistribution}
                data={data.tiers.map((d) => ({ ...d, label: v(d.label) }))}
              />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card>
              <Bars
                empty={t.nothing}
                title={t.segmentDistribution}
                data={data.segments.map((d) => ({ ...d, label: v(d.label) }))}
                color="#237804"
              />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card>
              <Bars empty={t.nothing} title={t.stageFunnel} data={funnel} color="#874d00" />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card>
              <Bars empty={t.nothing} title={`${t.slaMet} (%)`} data={sla} color="#391085" />
            </Card>
          </Col>
        </Row>
      )}
    </>
  );
}
