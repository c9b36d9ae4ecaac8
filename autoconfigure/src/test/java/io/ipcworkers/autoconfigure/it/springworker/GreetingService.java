package io.ipcworkers.autoconfigure.it.springworker;

import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.ParentProcess;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/** A bean of the Spring worker: uses the injected parent and its own configuration. */
public class GreetingService {

    private static final Log logger = LogFactory.getLog(GreetingService.class);

    private final ParentProcess parent;

    private final String salutation;

    GreetingService(ParentProcess parent, String salutation) {
        this.parent = parent;
        this.salutation = salutation;
    }

    @IpcListener("greet")
    public String greet(String name) {
        logger.info("Greeting " + name);
        this.parent.sendMessage(Message.of("greeted", name));
        return this.salutation + ", " + name + " (parent " + this.parent.getId() + ")";
    }

    /** A record, written with the worker's own {@code JsonMapper}. */
    @IpcListener("card")
    public GreetingCard card(String name) {
        return new GreetingCard(this.salutation + ", " + name);
    }

    public record GreetingCard(String fullText) {
    }

    /** Its topic comes from the worker's environment ({@code ipc.pools.spring.environment}). */
    @IpcListener("${greeting.farewell}")
    public String farewell(String name) {
        return "Goodbye, " + name;
    }
}
