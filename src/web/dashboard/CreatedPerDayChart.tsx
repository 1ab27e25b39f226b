import { useTheme } from '@mui/material';

/** A bar per day, in plain SVG (no chart library); each bar carries its date and count as a title. */
export function CreatedPerDayChart({ days }: { days: { date: string; count: number }[] }) {
  const theme = useTheme();
  const width = 600;
  const height = 180;
  const pad = { top: 10, right: 8, bottom: 24, left: 32 };
  const max = Math.max(1, ...days.map((d) => d.count));
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const slot = innerW / Math.max(1, days.length);
  const total = days.reduce((s, d) => s + d.count, 0);
  const ticks = [0, Math.ceil(max / 2), max].filter((v, i, a) => a.indexOf(v) === i);
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      role="img"
      aria-label={`Customers created per day: ${total} in ${days.length} days, at most ${max} in one day`}
    >
      {ticks.map((t) => {
        const y = pad.top + innerH - (t / max) * innerH;
        return (
          <g key={t}>
            <line x1={pad.left} x2={width - pad.right} y1={y} y2={y} stroke={theme.palette.divider} />
            <text
              x={pad.left - 6}
              y={y + 4}
              textAnchor="end"
              fontSize="11"
              fill={theme.palette.text.secondary}
            >
              {t}
            </text>
          </g>
        );
      })}
      {days.map((d, i) => {
        const h = (d.count / max) * innerH;
        const x = pad.left + i * slot + slot * 0.15;
        return (
          <rect
            key={d.date}
            x={x}
            y={pad.top + innerH - h}
            width={slot * 0.7}
            height={Math.max(h, d.count ? 1 : 0)}
            fill={theme.palette.primary.main}
          >
            <title>{`${d.date}: ${d.count}`}</title>
          </rect>
        );
      })}
      {days.map((d, i) =>
        i % 7 === days.length % 7 || i === days.length - 1 ? (
          <text
            key={d.date}
            x={pad.left + i * slot + slot / 2}
            y={height - 6}
            textAnchor="middle"
            fontSize="11"
            fill={theme.palette.text.secondary}
          >
            {d.date.slice(5)}
          </text>
        ) : null,
      )}
    </svg>
  );
}
