package io.ipcworkers.dispatch.elsewhere;

import java.util.ArrayList;
import java.util.List;

import io.ipcworkers.IpcListener;

/** A superclass in another package than its subclass: its package-private methods are not overridden there. */
public class BaseElsewhere {

    public final List<String> calls = new ArrayList<>();

    @IpcListener("base-package-private")
    void packagePrivate() {
        this.calls.add("BaseElsewhere.packagePrivate");
    }

    @IpcListener("base-only")
    void annotatedHereOnly() {
        this.calls.add("BaseElsewhere.annotatedHereOnly");
    }

    @IpcListener("base-protected")
    protected void overriddenFromAnywhere() {
        this.calls.add("BaseElsewhere.overriddenFromAnywhere");
    }
}
