package io.ipcworkers.launch;

import java.io.IOException;
import java.io.Reader;

import org.jspecify.annotations.Nullable;

/**
 * Reads lines of a child's output, none longer than a limit: a longer line is returned cut, as soon as
 * it passes the limit, and the rest of it is skipped as it arrives. {@link java.io.BufferedReader}
 * would hold a whole line in memory, and a child that writes without newlines would fill the parent's
 * heap. Lines end at {@code \n}, {@code \r\n} or {@code \r}.
 */
final class BoundedLineReader {

    static final String TRUNCATED = "... (truncated)";

    private final Reader reader;

    private final int maxChars;

    private final char[] buffer = new char[8192];

    private int position;

    private int limit;

    /** The rest of a line that was returned cut is being skipped. */
    private boolean skipping;

    /** The last character was a {@code \r}: a {@code \n} right after it ends no further line. */
    private boolean afterCarriageReturn;

    BoundedLineReader(Reader reader, int maxChars) {
        this.reader = reader;
        this.maxChars = maxChars;
    }

    /** The next line without its terminator, cut to the limit; null at the end of the stream. */
    @Nullable String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            if (this.position == this.limit && !fill()) {
                return (line.length() > 0) ? line.toString() : null;
            }
            char c = this.buffer[this.position++];
            if (this.afterCarriageReturn) {
                this.afterCarriageReturn = false;
                if (c == '\n') {
                    continue;
                }
            }
            if (c == '\n' || c == '\r') {
                this.afterCarriageReturn = c == '\r';
                if (this.skipping) {
                    this.skipping = false; // the end of the line returned cut
                    continue;
                }
                return line.toString();
            }
            if (this.skipping) {
                continue;
            }
            if (line.length() == this.maxChars) {
                this.skipping = true;
                return line.append(TRUNCATED).toString();
            }
            line.append(c);
        }
    }

    private boolean fill() throws IOException {
        int read = this.reader.read(this.buffer, 0, this.buffer.length);
        this.position = 0;
        this.limit = Math.max(read, 0);
        return read > 0;
    }
}
