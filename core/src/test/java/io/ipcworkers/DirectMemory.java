package io.ipcworkers;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/** This JVM's direct buffer memory, for tests that check native buffers are given back. */
public final class DirectMemory {

    private static final BufferPoolMXBean DIRECT = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
        .stream().filter((pool) -> pool.getName().equals("direct")).findFirst().orElseThrow();

    private DirectMemory() {
    }

    /** Bytes of direct buffers not yet freed. */
    public static long used() {
        return DIRECT.getMemoryUsed();
    }

    /** The least in use over a few collections: buffers are freed by the JDK's cleaner thread after one. */
    public static long settled() throws InterruptedException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            least = Math.min(least, used());
        }
        return least;
    }
}
