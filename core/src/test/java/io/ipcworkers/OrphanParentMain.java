package io.ipcworkers;

/** A parent program for {@link NoOrphansTest}: starts two children that never finish on their own. */
public final class OrphanParentMain {

    private OrphanParentMain() {
    }

    public static void main(String[] args) throws Exception {
        ProcessManager pm = ProcessManager.builder().output(ProcessOutput.discard()).stopGracePeriod(java.time.Duration.ofSeconds(1)).build();
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
