import { useState } from 'react';
import { Alert, Button, Card, Input, Space, Typography } from 'antd';
import { api, ApiError } from '../api';
import { useI18n } from '../i18n';
import { navigate } from '../router';

interface Preview {
  count: number;
  sample: string[];
  conditions?: string[];
}

export function Segments() {
  const { t } = useI18n();
  const [expression, setExpression] = useState("value_tier = 'high-value'");
  const [preview, setPreview] = useState<Preview | null>(null);
  const [problem, setProblem] = useState<{ message: string; position: number | null } | null>(null);
  const [segment, setSegment] = useState('');
  const [customerId, setCustomerId] = useState('');
  const [why, setWhy] = useState<unknown>(null);
  const [whyError, setWhyError] = useState<string | null>(null);

  const run = async () => {
    try {
      setProblem(null);
      setPreview(await api<Preview>('/segments/preview', { method: 'POST', body: { expression } }));
    } catch (e) {
      setPreview(null);
      setProblem({
        message: (e as Error).message,
        position: e instanceof ApiError ? (e.body?.position ?? null) : null,
      });
    }
  };
  const explain = async () => {
    try {
      setWhyError(null);
      setWhy(await api(`/segments/${encodeURIComponent(segment)}/why/${encodeURIComponent(customerId)}`));
    } catch (e) {
      setWhy(null);
      setWhyError((e as Error).message);
    }
  };
  // The mistake's position (1-based) underlined in the expression.
  const at = problem?.position ? Math.min(problem.position - 1, expression.length) : null;

  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t.segments}
      </Typography.Title>
      <Card>
        <label htmlFor="segment-expression">{t.expression}</label>
        <Input.TextArea
          id="segment-expression"
          value={expression}
          onChange={(e) => setExpression(e.target.value)}
          rows={3}
          style={{ fontFamily: 'monospace' }}
        />
        {at !== null && (
          <pre
            data-testid="expression-problem"
            style={{ fontFamily: 'monospace', margin: '8px 0', whiteSpace: 'pre-wrap' }}
          >
            {expression.slice(0, at)}
            <u style={{ textDecorationColor: '#cf1322', textDecorationThickness: 3, background: '#fff1f0' }}>
              {expression.slice(at, at + 1) || ' '}
            </u>
            {expression.slice(at + 1)}
          </pre>
        )}
        {problem && <Alert type="error" message={problem.message} />}
        <Button type="primary" onClick={() => void run()} style={{ marginTop: 8 }}>
          {t.preview}
        </Button>
        {preview && (
          <div style={{ marginTop: 16 }}>
            <Typography.Text strong data-testid="preview-count">
              {preview.count}
            </Typography.Text>{' '}
            {t.matches}
            <Typography.Paragraph>
              {t.sample}:{' '}
              {preview.sample.length === 0
                ? '—'
                : preview.sample.map((id) => (
                    <a
                      key={id}
                      href={`/console/customers/${id}`}
                      style={{ marginRight: 12 }}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(`/customers/${id}`);
                      }}
                    >
                      {id.slice(0, 8)}
                    </a>
                  ))}
            </Typography.Paragraph>
          </div>
        )}
      </Card>
      <Card style={{ marginTop: 16 }} title={<h2 style={{ fontSize: 16, margin: 0 }}>{t.whyIn}</h2>}>
        <Space wrap>
          <Input
            aria-label={t.segmentId}
            placeholder={t.segmentId}
            value={segment}
            onChange={(e) => setSegment(e.target.value)}
          />
          <Input
            aria-label={t.customerId}
            placeholder={t.customerId}
            value={customerId}
            onChange={(e) => setCustomerId(e.target.value)}
            style={{ width: 340 }}
          />
          <Button onClick={() => void explain()}>{t.explain}</Button>
        </Space>
        {whyError && <Alert type="error" message={whyError} style={{ marginTop: 8 }} />}
        {why !== null && (
          <pre style={{ marginTop: 8, whiteSpace: 'pre-wrap' }}>{JSON.stringify(why, null, 2)}</pre>
        )}
      </Card>
    </>
  );
}
