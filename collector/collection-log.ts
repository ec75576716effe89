/** `collection.log`: every step, warning and skip with its reason, timestamped (UTC). */
export type LogLevel = 'info' | 'warn' | 'error' | 'debug';

export interface CollectionLog {
  write(level: LogLevel, msg: string): void;
  lines(): string[];
  text(): string;
}

export function createCollectionLog(now: () => Date, forward?: (level: LogLevel, msg: string) => void): CollectionLog {
  const lines: string[] = [];
  return {
    write(level, msg) {
      lines.push(`${now().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}`);
      forward?.(level, msg);
    },
    lines: () => [...lines],
    text: () => `${lines.join('\n')}\n`,
  };
}
