package io.ipcworkers;

/** A parent program for {@link NoOrphansTest}: starts children that never finish on their own. */
public final class OrphanParentMain {

    private OrphanParentMain() {
    }

    public static void main(String[] args) throws Exception {
        ProcessManager pm = ProcessManager.builder().output(ProcessOutput.discard()).stopGracePeriod(java.time.Duration.ofSeconds(1)).build();
        if (args[0].equals("spawning")) { // one child, which starts a shell that starts a sleep
            ChildProcess spawner = pm.runProcess((self, parent) -> {
                Process shell = new ProcessBuilder("sh", "-c", "sleep 300 & wait").start();
                parent.sendMessage(Message.of("spawned", shell.pid()));
                Thread.sleep(Long.MAX_VALUE);
            });
            long shell = spawner.getNextMessage(java.time.Duration.ofSeconds(30)).payloadAs(Long.class);
            System.out.println("children " + spawner.getId() + " " + shell);
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
        ChildProcess first = pm.runProcess((self, parent) -> Thread.sleep(Long.MAX_VALUE));
        ChildProcess second = pm.runProcess((self, parent) -> parent.getNextMessage());
        System.out.println("children " + first.getId() + " " + second.getId());
        System.out.flush();
        if (args[0].equals("sleep")) {
            Thread.sleep(Long.MAX_VALUE);
        }
        // "exit": return from main with children still running; the shutdown hook must stop them
    }
}
