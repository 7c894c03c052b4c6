/** Tag colours dark enough for white text (WCAG AA contrast, at least 4.5:1), unlike the light presets. */
export const TAG = {
  good: '#135200',
  attention: '#874d00',
  bad: '#a8071a',
  info: '#003eb3',
} as const;
