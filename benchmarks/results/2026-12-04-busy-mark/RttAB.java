package io.ipcworkers.benchmarks;

import io.ipcworkers.*;
import java.util.Arrays;

/** ChildProcess round trips as the workload does them: 2,000 warm-up, 20,000 measured; p50/p99 of several sets. */
public class RttAB {
    public static void main(String[] args) throws Exception {
        int sets = Integer.getInteger("exp.sets", 3);
        try (ProcessManager pm = ProcessManager.builder().output(ProcessOutput.discard()).build()) {
            ChildProcess child = pm.runProcess(new EchoTask());
            child.getNextMessage();
            StringBuilder out = new StringBuilder();
            for (int s = 0; s < sets; s++) {
                long[] rtt = new long[20_000];
                for (int i = 0; i < 22_000; i++) {
                    long started = System.nanoTime();
                    child.sendMessage(Message.of("ping", new Ping(i)));
                    child.getNextMessage();
                    if (i >= 2000) rtt[i - 2000] = System.nanoTime() - started;
                }
                Arrays.sort(rtt);
                out.append(String.format("%.1f/%.1f ", rtt[10_000] / 1e3, rtt[19_800] / 1e3));
            }
            System.out.println(out);
            child.sendMessage(Message.of("exit", null));
            child.onExit().join();
        }
    }
}
