package io.ipcworkers.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** A child's output read as lines of bounded length, whatever it writes. */
class BoundedLineReaderTest {

    @Test
    void linesEndAtNewlineCarriageReturnOrBoth() throws IOException {
        assertThat(readAll("one\ntwo\r\nthree\rfour", 100)).containsExactly("one", "two", "three", "four");
        assertThat(readAll("\n\r\n\r", 100)).containsExactly("", "", "");
        assertThat(readAll("last\n", 100)).containsExactly("last");
        assertThat(readAll("", 100)).isEmpty();
    }

    @Test
    void aLineLongerThanTheLimitIsCutAndTheRestOfItSkipped() throws IOException {
        assertThat(readAll("abcde\nabcdef\nabcdefghij\r\nnext", 5)).containsExactly("abcde",
                "abcde" + BoundedLineReader.TRUNCATED, "abcde" + BoundedLineReader.TRUNCATED, "next");
    }

    @Test
    void aCutLineEndingTheStreamIsStillReturned() throws IOException {
        assertThat(readAll("x".repeat(50), 10)).containsExactly("x".repeat(10) + BoundedLineReader.TRUNCATED);
    }

    @Test
    void aLineWithoutEndIsReturnedCutWithoutWaitingForTheRestOrHoldingIt() {
        CountDownLatch release = new CountDownLatch(1);
        InputStream endless = new InputStream() {

            private long served;

            @Override
            public int read() throws IOException {
                if (this.served++ < 1_000_000) {
                    return 'x';
                }
                try {
                    release.await(); // a child still writing its line, without a newline yet
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                return -1;
            }
        };
        try {
            BoundedLineReader reader = new BoundedLineReader(new InputStreamReader(endless, StandardCharsets.UTF_8),
                    8192);
            String line = assertTimeoutPreemptively(Duration.ofSeconds(20), reader::readLine);
            assertThat(line).isEqualTo("x".repeat(8192) + BoundedLineReader.TRUNCATED);
        }
        finally {
            release.countDown();
        }
    }

    private static List<String> readAll(String text, int maxChars) throws IOException {
        BoundedLineReader reader = new BoundedLineReader(new StringReader(text), maxChars);
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = reader.readLine()) != null) {
            lines.add(line);
        }
        return lines;
    }
}
