import type { Distribution } from '../../../src/view-model';

/** A horizontal bar chart in plain SVG, with the numbers written beside the bars (readable without colour). */
export function Bars({
  title,
  data,
  empty,
  color = '#0958d9',
}: {
  title: string;
  data: Distribution[];
  empty: string;
  color?: string;
}) {
  const max = Math.max(1, ...data.map((d) => d.count));
  const row = 28;
  return (
    <figure style={{ margin: 0 }}>
      <figcaption style={{ fontWeight: 600, marginBottom: 8 }}>{title}</figcaption>
      {data.length === 0 && <p>{empty}</p>}
      <svg
        style={{ maxWidth: 520 }}
        role="img"
        aria-label={`${title}: ${data.map((d) => `${d.label} ${d.count}`).join(', ')}`}
        width="100%"
        viewBox={`0 0 400 ${data.length * row}`}
      >
        {data.map((d, i) => (
          <g key={d.label} transform={`translate(0, ${i * row})`}>
            <text x="0" y="18" fontSize="13" fill="#1f1f1f">
              {d.label}
            </text>
            <rect x="130" y="5" height="18" width={(d.count / max) * 220} fill={color} rx="3" />
            <text x={136 + (d.count / max) * 220} y="18" fontSize="13" fill="#1f1f1f">
              {d.count}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}
