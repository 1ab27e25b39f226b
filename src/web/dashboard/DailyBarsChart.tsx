import { useTheme } from '@mui/material';

export interface DailyBar {
  date: string;
  /** The bar's height (a float is fine here: it only draws; the title carries the exact text). */
  value: number;
  /** What the bar's title says, exact (e.g. a formatted decimal string). */
  text: string;
}

/**
 * A bar per day in plain SVG, drawn like CreatedPerDayChart, for any metric: values may be
 * negative (a margin below zero), so the zero line moves up and such bars hang below it.
 */
export function DailyBarsChart({
  days,
  label,
  tick,
}: {
  days: DailyBar[];
  /** The chart's accessible name (what it shows, in words). */
  label: string;
  /** An axis value as text (counts, minutes or money). */
  tick: (v: number) => string;
}) {
  const theme = useTheme();
  const width = 600;
  const height = 200;
  const pad = { top: 10, right: 8, bottom: 24, left: 64 };
  const min = Math.min(0, ...days.map((d) => d.value));
  // All zero: an axis up to 1, as CreatedPerDayChart does.
  const max = Math.max(0, ...days.map((d) => d.value)) || (min < 0 ? 0 : 1);
  const span = max - min;
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const slot = innerW / Math.max(1, days.length);
  const y = (v: number) => pad.top + ((max - v) / span) * innerH;
  // Zero always; the extremes unless they would print over the zero line's label.
  const ticks = [0, ...[min, max].filter((v) => v !== 0 && Math.abs(y(v) - y(0)) >= 14)];
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={label}>
      {ticks.map((t) => (
        <g key={t}>
          <line
            x1={pad.left}
            x2={width - pad.right}
            y1={y(t)}
            y2={y(t)}
            stroke={t === 0 ? theme.palette.text.disabled : theme.palette.divider}
          />
          <text
            x={pad.left - 6}
            y={y(t) + 4}
            textAnchor="end"
            fontSize="11"
            fill={theme.palette.text.secondary}
          >
            {tick(t)}
          </text>
        </g>
      ))}
      {days.map((d, i) => {
        const top = y(Math.max(d.value, 0));
        const h = Math.abs(y(d.value) - y(0));
        return (
          <rect
            key={d.date}
            x={pad.left + i * slot + slot * 0.15}
            y={top}
            width={slot * 0.7}
            height={Math.max(h, d.value ? 1 : 0)}
            fill={d.value < 0 ? theme.palette.error.main : theme.palette.primary.main}
          >
            <title>{`${d.date}: ${d.text}`}</title>
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
