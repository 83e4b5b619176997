export const round = (ms: number) => Math.round(ms * 10) / 10;

export const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted.at(-1)! };
};

export const median = (values: number[]) => stats(values).median;
