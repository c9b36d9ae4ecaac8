package io.ipcworkers.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Map;

import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.cfg.ContextAttributes;
import tools.jackson.databind.ser.SerializationContextExt;
import org.jspecify.annotations.Nullable;

/**
 * Tells whether a Jackson serialization context that has written a payload holds anything a new one
 * would not: object ids it handed out ({@code @JsonIdentityInfo}: a later payload would get a bare id
 * for an object written before) or attributes a serializer set for the call. One that holds neither
 * writes the next payload as a new one would, so a thread's codec writes its payloads with one context
 * for as long as that lasts, instead of one per payload, which was half of what sending a small payload
 * allocated (benchmarks/README, item 53). Jackson has no public way to ask, so its three fields are read,
 * never written. Where they cannot be (a module system that does not open Jackson's packages to this
 * one, a Jackson that renamed them), the codec makes a context per payload, as Jackson's mapper does.
 */
final class ContextLeftovers {

    private static final @Nullable VarHandle SEEN_OBJECT_IDS;

    private static final @Nullable VarHandle OBJECT_ID_GENERATORS;

    private static final @Nullable VarHandle ATTRIBUTES;

    static {
        VarHandle seen = null;
        VarHandle generators = null;
        VarHandle attributes = null;
        try {
            MethodHandles.Lookup ext = MethodHandles.privateLookupIn(SerializationContextExt.class, MethodHandles.lookup());
            seen = ext.findVarHandle(SerializationContextExt.class, "_seenObjectIds", Map.class);
            generators = ext.findVarHandle(SerializationContextExt.class, "_objectIdGenerators", ArrayList.class);
            attributes = MethodHandles.privateLookupIn(SerializationContext.class, MethodHandles.lookup())
                .findVarHandle(SerializationContext.class, "_attributes", ContextAttributes.class);
        }
        catch (ReflectiveOperationException | RuntimeException ex) {
            seen = null; // all or none
            System.getLogger(MessageCodec.class.getName()).log(System.Logger.Level.DEBUG,
                    "Jackson's serialization contexts cannot be looked into: one is made per payload", ex);
        }
        SEEN_OBJECT_IDS = seen;
        OBJECT_ID_GENERATORS = (seen != null) ? generators : null;
        ATTRIBUTES = (seen != null) ? attributes : null;
    }

    private ContextLeftovers() {
    }

    /** Whether this Jackson lets the codec tell what a context holds; if not, none is kept past a payload. */
    static boolean canTell() {
        return SEEN_OBJECT_IDS != null;
    }

    /** Whether the context holds nothing from what it wrote; false when that cannot be told. */
    static boolean none(SerializationContextExt context) {
        VarHandle seen = SEEN_OBJECT_IDS;
        VarHandle generators = OBJECT_ID_GENERATORS;
        VarHandle attributes = ATTRIBUTES;
        return seen != null && generators != null && attributes != null
                && seen.get(context) == null && generators.get(context) == null
                && attributes.get(context) == context.getConfig().getAttributes();
    }
}
