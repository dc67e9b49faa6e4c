import { Box, Text } from 'ink';
import { fitLine, plainText, type Line } from './layout.js';

/**
 * Draws prepared lines, each cut to `width`. With `color` false no style reaches ink at all (no colour, bold,
 * dim or inverse), so the output carries no escape codes.
 */
export function Lines({ lines, width, color }: { lines: readonly Line[]; width: number; color: boolean }) {
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {fitLine(line, width).map((s, j) =>
            color ? (
              <Text
                key={j}
                {...(s.color ? { color: s.color } : {})}
                bold={!!s.bold}
                dimColor={!!s.dim}
                underline={!!s.underline}
                inverse={!!s.inverse}
              >
                {s.text}
              </Text>
            ) : (
              s.text
            ),
          )}
          {/* an empty Text collapses to no row at all */}
          {plainText(line) === '' ? ' ' : ''}
        </Text>
      ))}
    </Box>
  );
}
