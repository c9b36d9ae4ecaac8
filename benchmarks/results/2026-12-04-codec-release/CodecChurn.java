import io.ipcworkers.Message;
import io.ipcworkers.codec.MessageCodec;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;

/** Many codecs used and dropped on one long-lived thread, with collections in between: what stays held. */
public class CodecChurn {
    record Ping(long n) {}
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new MessageCodec(tools.jackson.databind.json.JsonMapper.builder().build()).encode(Message.of("t", new Ping(1))).writeTo(out);
        long before = used();
        for (int i = 1; i <= n; i++) {
            MessageCodec codec = MessageCodec.withDefaultMapper();
            codec.encode(Message.of("t", new Ping(i))).writeTo(out);
            out.reset();
            if (i % 100 == 0) {
                System.out.println(i + " codecs made and dropped: " + (used() - before) / 1024 + " KiB held");
            }
        }
    }
    static long used() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
