import io.ipcworkers.*;
import io.ipcworkers.pool.*;
import io.ipcworkers.codec.*;
import io.ipcworkers.dispatch.*;
import io.ipcworkers.launch.*;
import io.ipcworkers.benchmarks.*;
import java.time.Duration;
import java.util.*;

public class AotStart {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        List<String> jvmArgs = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            PoolSettings settings = PoolSettings.of("bench", 1, System.getProperty("worker", BenchSpringWorker.class.getName())).withJvmArgs(jvmArgs);
            try (WorkerPools pools = new WorkerPools(List.of(settings), new LauncherSettings(64 << 20, Duration.ofMinutes(2),
                    (System.getenv("SHOW") != null ? ProcessOutput.console() : ProcessOutput.discard()), List.of(), System.getProperty("cds") == null ? null : java.nio.file.Path.of(System.getProperty("cds"))), MessageCodec.withDefaultMapper(), ListenerRegistry.forParent())) {
                long s = System.nanoTime();
                pools.start();
                if (System.getProperty("reply") != null) pools.request("bench", "ping-typed", new Ping(1), Ping.class).get();
                t[i] = (System.nanoTime() - s) / 1e6;
            }
        }
        Arrays.sort(t);
        System.out.println(Arrays.toString(t) + " median " + t[n / 2]);
    }
}
